//! The ingest API (SPEC §7, I1, I4-I6) through the front door.

use crate::harness::{T0, TestApp, lfp, mfp, refused_fields};
use meterport_store::devices::Page;
use serde_json::{Value, json};

const FIRST_PAGE: Page = Page {
    page: 1,
    per_page: 100,
};

async fn setup() -> (TestApp, meterport_store::tenants::Tenant, String, String) {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    app.device(&tenant, mfp("SN-1", "本社 3F 複合機")).await;
    app.device(&tenant, lfp("LFP-1", "Plotter", "m2")).await;
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    (app, tenant, ingest, read)
}

fn reading(serial: &str, at: &str, counters: Value) -> Value {
    json!({"serial": serial, "read_at": at, "counters": counters})
}

async fn monthly_total1(app: &TestApp, read: &str, from: &str, to: &str) -> Vec<Value> {
    let (status, body) = app
        .get(
            &format!("/api/v1/counters?unit=month&from={from}&to={to}&kind=usage"),
            read,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let dev = &body["devices"][0];
    body["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| dev["periods"][p.as_str().unwrap()]["total1"].clone())
        .collect()
}

#[tokio::test]
async fn readings_are_accepted_and_exact_repeats_are_counted_as_duplicates() {
    let (app, _t, ingest, read) = setup().await;
    let batch = json!([
        reading(
            "SN-1",
            "2021-07-31T18:00:00+09:00",
            json!({"total1": 177556})
        ),
        reading(
            "SN-1",
            "2021-08-31T18:00:00+09:00",
            json!({"total1": 178011})
        ),
        reading(
            "SN-1",
            "2021-08-31T18:00:00+09:00",
            json!({"total1": 178011})
        ),
    ]);
    let body = app.ingest_ok("readings", &ingest, &batch).await;
    assert_eq!(body, json!({"accepted": 2, "duplicates": 1}));

    // The same instant written in UTC is the same reading.
    let again = reading("SN-1", "2021-08-31T09:00:00Z", json!({"total1": 178011}));
    let (status, body) = app.post("/api/v1/ingest/readings", &ingest, &again).await;
    assert_eq!(
        (status, body),
        (200, json!({"accepted": 0, "duplicates": 1}))
    );
    assert_eq!(
        monthly_total1(&app, &read, "2021-07", "2021-08").await,
        [json!(177556), json!(455)]
    );
}

#[tokio::test]
async fn a_conflicting_repeat_refuses_the_whole_batch_and_stores_nothing() {
    let (app, _t, ingest, read) = setup().await;
    let first = reading(
        "SN-1",
        "2021-08-31T18:00:00+09:00",
        json!({"total1": 178011}),
    );
    assert_eq!(
        app.post("/api/v1/ingest/readings", &ingest, &first).await.0,
        200
    );
    let batch = json!([
        reading(
            "SN-1",
            "2021-09-30T18:00:00+09:00",
            json!({"total1": 178388})
        ),
        reading(
            "SN-1",
            "2021-08-31T18:00:00+09:00",
            json!({"total1": 178012})
        ),
        reading("SN-1", "2021-10-31T18:00:00+09:00", json!({"total1": 1})),
        reading("SN-1", "2021-10-31T18:00:00+09:00", json!({"total1": 2})),
    ]);
    let (status, body) = app.post("/api/v1/ingest/readings", &ingest, &batch).await;
    assert_eq!(status, 422, "{body}");
    let details = body["error"]["details"].as_array().unwrap();
    let indexes: Vec<i64> = details
        .iter()
        .map(|d| d["index"].as_i64().unwrap())
        .collect();
    assert_eq!(indexes, [1, 3]);
    assert!(
        details[0]["message"]
            .as_str()
            .unwrap()
            .contains("conflicts")
    );
    // September was not stored.
    assert_eq!(
        monthly_total1(&app, &read, "2021-08", "2021-09").await,
        [json!(178011), Value::Null]
    );
}

#[tokio::test]
async fn every_bad_item_is_listed_with_its_index_and_field() {
    let (app, _t, ingest, read) = setup().await;
    let future = jiff::Timestamp::from_millisecond(T0 + 11 * 60_000)
        .unwrap()
        .to_string();
    let batch = json!([
        reading("SN-1", "2021-08-31T18:00:00+09:00", json!({"total1": 100})),
        reading(
            "NOPE-404",
            "2021-08-31T18:00:00+09:00",
            json!({"total1": 1})
        ),
        reading("SN-1", "2021-09-01T18:00:00+09:00", json!({"toner": 1})),
        reading("SN-1", "2021-09-02T18:00:00+09:00", json!({"total1": -5})),
        reading("SN-1", "2021-09-03T18:00:00+09:00", json!({"total1": "12"})),
        reading("SN-1", "2021-09-04T18:00:00+09:00", json!({"total1": 12.5})),
        reading("SN-1", &future, json!({"total1": 200})),
        reading("SN-1", "2021-09-05 18:00", json!({"total1": 200})),
        reading(
            "LFP-1",
            "2021-09-05T18:00:00+09:00",
            json!({"total1": 1.0005})
        ),
        reading("LFP-1", "2021-09-05T18:00:00+09:00", json!({"paper_a4": 1})),
        json!("not an object"),
    ]);
    let (status, body) = app.post("/api/v1/ingest/readings", &ingest, &batch).await;
    assert_eq!(status, 422, "{body}");
    let got: Vec<(i64, String)> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["index"].as_i64().unwrap(),
                d["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(i64, String)> = [
        (1, "serial"),
        (2, "counters.toner"),
        (3, "counters.total1"),
        (4, "counters.total1"),
        (5, "counters.total1"),
        (6, "read_at"),
        (7, "read_at"),
        (8, "counters.total1"),
        (9, "counters.paper_a4"),
        (10, ""),
    ]
    .iter()
    .map(|(i, f)| (*i, f.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(
        monthly_total1(&app, &read, "2021-08", "2021-08").await,
        [Value::Null]
    );
}

#[tokio::test]
async fn an_unknown_serial_is_refused_and_listed_for_the_operator() {
    let (app, tenant, ingest, _read) = setup().await;
    let r = reading("GHOST-9", "2021-08-31T18:00:00+09:00", json!({"total1": 1}));
    let (status, body) = app.post("/api/v1/ingest/readings", &ingest, &r).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["details"][0]["field"], "serial");
    app.post("/api/v1/ingest/readings", &ingest, &r).await;
    let unknown = app
        .store
        .unknown_serials(tenant.id, FIRST_PAGE)
        .await
        .unwrap();
    assert_eq!((unknown.total, unknown.dropped), (1, 0));
    assert_eq!(unknown.serials[0].serial, "GHOST-9");
    assert_eq!(unknown.serials[0].attempts, 2, "two attempts");
}

#[tokio::test]
async fn a_device_of_another_tenant_is_refused_like_an_unknown_one() {
    let (app, tenant, _ingest, _read) = setup().await;
    let other = app.tenant("Other", "Asia/Tokyo").await;
    let other_token = app.ingest_token(&other).await;
    let r = reading("SN-1", "2021-08-31T18:00:00+09:00", json!({"total1": 1}));
    let (status, body) = app.post("/api/v1/ingest/readings", &other_token, &r).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["details"][0]["message"],
        "is not a registered device of this customer"
    );
    // Not listed as unregistered for either tenant: it is registered.
    assert!(
        app.store
            .unknown_serials(other.id, FIRST_PAGE)
            .await
            .unwrap()
            .serials
            .is_empty()
    );
    assert!(
        app.store
            .unknown_serials(tenant.id, FIRST_PAGE)
            .await
            .unwrap()
            .serials
            .is_empty()
    );
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let (app, _t, ingest, read) = setup().await;
    let r = reading("SN-1", "2021-08-31T18:00:00+09:00", json!({"total1": 1}));
    assert_eq!(
        app.post("/api/v1/ingest/readings", "mpi_wrong", &r).await.0,
        401
    );
    assert_eq!(
        app.post("/api/v1/ingest/readings", &read, &r).await.0,
        401,
        "a read token cannot ingest"
    );
    let res = app
        .client
        .post(app.url("/api/v1/ingest/readings"))
        .json(&r)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let (status, body) = app.get("/api/v1/devices", &ingest).await;
    assert_eq!(status, 401, "an ingest token cannot read: {body}");
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn readings_older_than_the_retention_are_refused_naming_its_start() {
    let app = TestApp::spawn().await;
    let tenant = app
        .store
        .create_tenant("Short", "Asia/Tokyo", Some(3), T0)
        .await
        .unwrap();
    app.device(&tenant, mfp("R-1", "r")).await;
    let token = app.ingest_token(&tenant).await;
    // T0 is 2021-12-01 09:00 in Tokyo: three months back is 2021-09-01.
    let old = reading("R-1", "2021-08-31T23:59:59+09:00", json!({"total1": 1}));
    let (status, body) = app.post("/api/v1/ingest/readings", &token, &old).await;
    assert_eq!(status, 422);
    let msg = body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(msg.contains("2021-08-31T15:00:00Z"), "{msg}");
    let ok = reading("R-1", "2021-09-01T00:00:00+09:00", json!({"total1": 1}));
    assert_eq!(
        app.post("/api/v1/ingest/readings", &token, &ok).await.0,
        200
    );
}

#[tokio::test]
async fn a_batch_of_ten_thousand_readings_is_one_request() {
    let (app, _t, ingest, read) = setup().await;
    let start = jiff::Timestamp::from_millisecond(T0 - 10_000 * 3_600_000).unwrap();
    let batch: Vec<Value> = (0..10_000i64)
        .map(|i| {
            let at = start + jiff::SignedDuration::from_hours(i);
            reading(
                "SN-1",
                &at.to_string(),
                json!({"total1": 1000 + i * 3, "mono": 500 + i * 3}),
            )
        })
        .collect();
    let (status, body) = app
        .post("/api/v1/ingest/readings", &ingest, &json!(batch))
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"accepted": 10_000, "duplicates": 0}))
    );
    // The whole history's growth, from a first value of 1000 (its own oldest period).
    let (status, body) = app
        .get(
            "/api/v1/counters?unit=month&from=2020-10&to=2021-09&kind=usage",
            &read,
        )
        .await;
    assert_eq!(status, 200);
    let total: i64 = body["devices"][0]["total"]["total1"].as_i64().unwrap();
    assert!(total > 0);
    let (_, cum) = app
        .get(
            "/api/v1/counters?unit=month&from=2021-11&to=2021-12&kind=cumulative",
            &read,
        )
        .await;
    // The last reading, 2021-11-30T23:00Z, is already December 1st in Tokyo.
    assert_eq!(
        cum["devices"][0]["periods"]["2021-12"]["total1"],
        json!(1000 + 9_999 * 3)
    );
    assert_eq!(
        cum["devices"][0]["periods"]["2021-11"]["total1"],
        json!(1000 + 9_990 * 3)
    );
}

#[tokio::test]
async fn lfp_decimals_are_kept_exactly() {
    let (app, _t, ingest, read) = setup().await;
    let batch: Vec<Value> = (0..=100)
        .map(|i| {
            let v = format!("{}.{:03}", 10 + i / 10, (i % 10) * 100 + 1);
            json!({"serial": "LFP-1", "read_at": format!("2021-08-{:02}T{:02}:00:00+09:00", 1 + i / 4, 8 + i % 4),
                   "counters": {"total1": serde_json::from_str::<Value>(&v).unwrap(), "duty_a": 0.1}})
        })
        .collect();
    app.ingest_ok("readings", &ingest, &json!(batch)).await;
    let (_, body) = app
        .get(
            "/api/v1/counters?unit=month&from=2021-08&to=2021-08&class=lfp&kind=cumulative",
            &read,
        )
        .await;
    let dev = &body["devices"][0];
    assert_eq!(dev["lfp_unit"], "m2");
    // The last reading: i = 100 → 20.001
    assert_eq!(dev["periods"]["2021-08"]["total1"].to_string(), "20.001");
    assert_eq!(dev["periods"]["2021-08"]["duty_a"].to_string(), "0.1");
    assert!(
        dev["periods"]["2021-08"].get("paper_a4").is_none(),
        "no paper counters on an LFP"
    );
}

async fn device_status(app: &TestApp, read: &str, id: i64) -> Value {
    let (status, body) = app.get(&format!("/api/v1/devices/{id}"), read).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn conditions_open_and_close_with_their_timestamps() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let id = app.device(&tenant, mfp("SN-1", "mfp")).await;
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    assert_eq!(device_status(&app, &read, id).await["status"], "unknown");

    let report =
        |at: &str, conditions: Value| json!({"serial": "SN-1", "at": at, "conditions": conditions});
    let (status, body) = app
        .post(
            "/api/v1/ingest/status",
            &ingest,
            &report(
                "2021-11-01T09:00:00+09:00",
                json!([
                    {"code": "toner_low_k", "severity": "warning", "message": "Black toner low"},
                ]),
            ),
        )
        .await;
    assert_eq!((status, body), (200, json!({"applied": 1, "stale": 0})));
    app.post(
        "/api/v1/ingest/status",
        &ingest,
        &report(
            "2021-11-01T10:00:00+09:00",
            json!([
                {"code": "toner_low_k", "severity": "warning", "message": "Black toner low"},
                {"code": "jam_tray2", "severity": "error", "message": "Paper jam in tray 2"},
            ]),
        ),
    )
    .await;
    let d = device_status(&app, &read, id).await;
    assert_eq!(d["status"], "error");
    assert_eq!(d["conditions"][0]["code"], "jam_tray2");
    assert_eq!(
        d["conditions"][1]["since"], "2021-11-01T00:00:00Z",
        "kept its since"
    );

    // An older report is counted and ignored.
    let (_, body) = app
        .post(
            "/api/v1/ingest/status",
            &ingest,
            &report("2021-11-01T09:30:00+09:00", json!([])),
        )
        .await;
    assert_eq!(body, json!({"applied": 0, "stale": 1}));
    assert_eq!(device_status(&app, &read, id).await["status"], "error");

    app.post(
        "/api/v1/ingest/status",
        &ingest,
        &report(
            "2021-11-01T11:00:00+09:00",
            json!([
                {"code": "sc_e000", "severity": "service_call", "message": "Fixing unit"},
            ]),
        ),
    )
    .await;
    let d = device_status(&app, &read, id).await;
    assert_eq!(d["status"], "service_call");
    assert_eq!(d["conditions"].as_array().unwrap().len(), 1);

    app.post(
        "/api/v1/ingest/status",
        &ingest,
        &report("2021-11-01T12:00:00+09:00", json!([])),
    )
    .await;
    assert_eq!(device_status(&app, &read, id).await["status"], "normal");
}

#[tokio::test]
async fn a_bad_status_report_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let id = app.device(&tenant, mfp("SN-1", "mfp")).await;
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let bad = json!([
        {"serial": "SN-1", "at": "2021-11-01T09:00:00+09:00", "conditions": [
            {"code": "x", "severity": "fatal"},
            {"code": "y", "severity": "error"}, {"code": "y", "severity": "error"}]},
        {"serial": "NOPE", "at": "2021-11-01T09:00:00+09:00", "conditions": []},
        {"serial": "SN-1", "at": "yesterday", "conditions": []},
    ]);
    let (status, body) = app.post("/api/v1/ingest/status", &ingest, &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        refused_fields(&body),
        [
            "conditions[0].severity",
            "conditions[2].code",
            "serial",
            "at"
        ]
    );
    assert_eq!(device_status(&app, &read, id).await["status"], "unknown");
}

#[tokio::test]
async fn an_smtp_device_is_always_shown_as_normal() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let mut json = mfp("MAIL-1", "mail");
    json["protocol"] = json!("smtp");
    let id = app.device(&tenant, json).await;
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let report = json!({"serial": "MAIL-1", "at": "2021-11-01T09:00:00+09:00",
        "conditions": [{"code": "e1", "severity": "error"}]});
    app.post("/api/v1/ingest/status", &ingest, &report).await;
    assert_eq!(device_status(&app, &read, id).await["status"], "normal");
}

/// Requests committed together (group commit) are judged as if they had come one after the
/// other: a repeat of an earlier request's reading is a duplicate, a different value at the
/// same time a conflict that refuses its own request only, and a refused request's readings
/// count for nobody.
#[tokio::test]
async fn requests_committed_together_are_judged_one_after_the_other() {
    use meterport_domain::counters::{CounterSet, Key};
    use meterport_store::readings::{NewReading, Stored};

    let app = TestApp::spawn().await;
    let tenant = app.tenant("Group KK", "Asia/Tokyo").await;
    let other = app.tenant("Other KK", "Europe/Berlin").await;
    let d1 = app.device(&tenant, mfp("G-1", "One")).await;
    let d2 = app.device(&tenant, mfp("G-2", "Two")).await;
    let d3 = app.device(&other, mfp("O-1", "Elsewhere")).await;
    let read = app.read_token(&tenant).await;
    let read_other = app.read_token(&other).await;
    let hour = 3_600_000;
    let t = |h: i64| T0 - 10 * 24 * hour + h * hour;
    let r = |index: usize, device_id: i64, h: i64, total: i64| NewReading {
        index,
        device_id,
        read_at: t(h),
        counters: CounterSet::new(vec![(Key::Total1, total)]),
    };
    let jobs = vec![
        (
            tenant.id,
            tenant.tz(),
            vec![r(0, d1, 1, 100), r(1, d1, 2, 150)],
        ),
        (
            tenant.id,
            tenant.tz(),
            vec![r(0, d1, 2, 150), r(1, d2, 1, 10)],
        ),
        (other.id, other.tz(), vec![r(0, d3, 1, 7)]),
        (
            tenant.id,
            tenant.tz(),
            vec![r(0, d1, 2, 999), r(1, d2, 2, 20)],
        ),
        (
            tenant.id,
            tenant.tz(),
            vec![r(0, d2, 3, 30), r(1, d2, 3, 31)],
        ),
        (tenant.id, tenant.tz(), vec![r(0, d2, 3, 31)]),
    ];
    let outcomes: Vec<_> = app
        .store
        .store_batches(jobs, T0)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.unwrap())
        .collect();
    let ok = |accepted, duplicates| {
        Ok(Stored {
            accepted,
            duplicates,
        })
    };
    assert_eq!(outcomes[0], ok(2, 0));
    assert_eq!(outcomes[1], ok(1, 1), "a repeat of the first request");
    assert_eq!(outcomes[2], ok(1, 0), "another tenant in the same group");
    let refused = outcomes[3].as_ref().unwrap_err();
    assert_eq!(refused.len(), 1);
    assert_eq!(
        (refused[0].index, refused[0].field.as_str()),
        (0, "read_at")
    );
    assert!(
        meterport_portal::i18n::item_message(&refused[0]).contains("stored reading"),
        "{refused:?}"
    );
    let refused = outcomes[4].as_ref().unwrap_err();
    assert!(
        meterport_portal::i18n::item_message(&refused[0]).contains("item 0"),
        "{refused:?}"
    );
    assert_eq!(
        outcomes[5],
        ok(1, 0),
        "the refused request's reading is no one's"
    );

    let month = "/api/v1/counters?unit=month&from=2021-11&to=2021-11&kind=cumulative";
    let (_, body) = app.get(month, &read).await;
    let cumulative = |id: i64| {
        body["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .map(|d| d["periods"]["2021-11"]["total1"].clone())
    };
    assert_eq!(cumulative(d1), Some(json!(150)));
    assert_eq!(
        cumulative(d2),
        Some(json!(31)),
        "20 was refused with its request"
    );
    let (_, body) = app.get(month, &read_other).await;
    assert_eq!(body["devices"][0]["periods"]["2021-11"]["total1"], json!(7));
}

/// C7: readings older than the tenant's retention are deleted; the months still shown keep
/// their usage, also when a late reading makes one of them be computed again.
#[tokio::test]
async fn readings_past_the_retention_are_deleted_and_the_months_kept_do_not_change() {
    use meterport_portal::service::retention::purge_expired_readings;
    let app = TestApp::spawn().await;
    let tenant = app
        .store
        .create_tenant("Kept KK", "Asia/Tokyo", Some(3), T0)
        .await
        .unwrap();
    app.device(&tenant, mfp("SN-1", "本社 3F 複合機")).await;
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let post = |items: Value| {
        let (app, ingest) = (&app, &ingest);
        async move {
            let (status, body) = app.post("/api/v1/ingest/readings", ingest, &items).await;
            assert_eq!(status, 200, "{body}");
        }
    };
    // This test's database holds this tenant only.
    let count = || async {
        let row = sqlx::query("SELECT COUNT(*) FROM readings")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        sqlx::Row::get::<i64, _>(&row, 0)
    };
    // Sent in October, when August was within the retention (from July).
    app.clock.set(T0 - 40 * 86_400_000);
    post(json!([
        reading("SN-1", "2021-08-31T18:00:00+09:00", json!({"total1": 100})),
        reading("SN-1", "2021-09-30T18:00:00+09:00", json!({"total1": 250})),
        reading("SN-1", "2021-10-21T18:00:00+09:00", json!({"total1": 400})),
    ]))
    .await;
    app.clock.set(T0);
    post(json!([reading(
        "SN-1",
        "2021-11-30T18:00:00+09:00",
        json!({"total1": 700})
    )]))
    .await;
    let before = monthly_total1(&app, &read, "2021-09", "2021-11").await;
    assert_eq!(before, [json!(150), json!(150), json!(300)]);
    assert_eq!(count().await, 4);

    // In December the retention starts with September: August's reading goes, once.
    assert_eq!(purge_expired_readings(&app.services, T0).await.unwrap(), 1);
    assert_eq!(purge_expired_readings(&app.services, T0).await.unwrap(), 0);
    assert_eq!(count().await, 3);
    assert_eq!(
        monthly_total1(&app, &read, "2021-09", "2021-11").await,
        before
    );

    // A late September reading recomputes September from August's roll-up, not from
    // the deleted reading: still 150.
    post(json!([reading(
        "SN-1",
        "2021-09-15T12:00:00+09:00",
        json!({"total1": 180})
    )]))
    .await;
    assert_eq!(
        monthly_total1(&app, &read, "2021-09", "2021-11").await,
        before
    );
    assert_eq!(count().await, 4);
}
