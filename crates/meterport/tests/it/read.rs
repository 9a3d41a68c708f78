//! The read API (SPEC §7): devices, counters with every drill-down, the S12 limits, and one
//! tenant isolation test per route.

use crate::harness::{TestApp, mfp, seed};
use meterport_store::tenants::Tenant;
use serde_json::{Value, json};

struct Fixture {
    app: TestApp,
    tenant: Tenant,
    read: String,
    seed: seed::Fleet,
}

/// The seed's fleet ([`seed::acme`]), device 1 with the eight counters every MFP reports,
/// and a read token.
async fn fixture() -> Fixture {
    let (app, tenant, seed) = seed::acme(8).await;
    let read = app.read_token(&tenant).await;
    Fixture {
        app,
        tenant,
        read,
        seed,
    }
}

impl Fixture {
    /// A GET of the read API with the tenant's read token that must answer 200: its body.
    async fn get_ok(&self, path: &str) -> Value {
        let (status, body) = self.app.get(path, &self.read).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }
}

fn row(body: &Value, id: i64) -> &Value {
    body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .expect("device listed")
}

#[tokio::test]
async fn the_monthly_usage_table_reproduces_the_seed() {
    let f = fixture().await;
    let (status, body) = f
        .app
        .get(
            "/api/v1/counters?unit=month&from=2021-08&to=2021-11&kind=usage",
            &f.read,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["periods"],
        json!(["2021-08", "2021-09", "2021-10", "2021-11"])
    );
    assert_eq!(body["timezone"], "Asia/Tokyo");
    let d1 = row(&body, f.seed.dev1);
    let t1: Vec<Value> = ["2021-08", "2021-09", "2021-10", "2021-11"]
        .iter()
        .map(|p| d1["periods"][p]["total1"].clone())
        .collect();
    assert_eq!(t1, [json!(455), json!(377), json!(354), json!(723)]);
    assert_eq!(d1["total"]["total1"], 1909);
    assert_eq!(d1["oldest"], json!([]));
    assert_eq!(d1["periods"]["2021-08"]["color"], 83);
    assert_eq!(
        d1["periods"]["2021-08"]["copy"],
        Value::Null,
        "never reported: -"
    );
    assert_eq!(
        d1["periods"]["2021-08"].as_object().unwrap().len(),
        34,
        "every MFP key"
    );
    let d2 = row(&body, f.seed.dev2);
    assert_eq!(d2["periods"]["2021-08"]["total1"], 10385);
    assert_eq!(
        d2["periods"]["2021-09"],
        Value::Null,
        "no reading in September"
    );
    assert_eq!(d2["group"]["name"], "Sales");
    // The LBP's first reading is its oldest period: usage is the value itself, marked.
    let lbp = row(&body, f.seed.printer);
    assert_eq!(lbp["periods"]["2021-08"]["total1"], 900);
    assert_eq!(lbp["oldest"], json!(["2021-08"]));
    assert_eq!(lbp["periods"]["2021-08"]["copy"], Value::Null);
    // The LFP is not an MFP/LBP.
    assert!(
        body["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != f.seed.plotter)
    );
    assert_eq!(
        body["total"]["periods"]["2021-08"]["total1"],
        455 + 10385 + 900
    );
    assert_eq!(body["total"]["total"]["total1"], 1909 + 10385 + 900);
}

#[tokio::test]
async fn the_cumulative_table_has_no_totals() {
    let f = fixture().await;
    let body = f
        .get_ok("/api/v1/counters?unit=month&from=2021-08&to=2021-11&kind=cumulative")
        .await;
    let d1 = row(&body, f.seed.dev1);
    assert_eq!(d1["periods"]["2021-11"]["total1"], 179465);
    assert_eq!(d1["periods"]["2021-08"]["mono_small"], 104929);
    assert_eq!(d1["total"], Value::Null);
    assert_eq!(body["total"], Value::Null);
}

#[tokio::test]
async fn drill_downs_give_one_device_one_period_or_both() {
    let f = fixture().await;
    let base = "/api/v1/counters?unit=month&from=2021-08&to=2021-11&kind=usage";
    let (status, body) = f
        .app
        .get(&format!("{base}&device={}", f.seed.dev1), &f.read)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["devices"].as_array().unwrap().len(), 1);
    assert_eq!(body["devices"][0]["periods"]["2021-11"]["color_large"], 2);

    let body = f.get_ok("/api/v1/counters?period=2021-08&kind=usage").await;
    assert_eq!(body["unit"], "month");
    assert_eq!(body["periods"], json!(["2021-08"]));
    // Chapter 4-3's Total row for the first two devices plus the LBP.
    assert_eq!(body["total"]["periods"]["2021-08"]["color"], 83 + 2430);
    assert_eq!(body["total"]["periods"]["2021-08"]["mono_large"], 34 + 417);

    let body = f
        .get_ok(&format!(
            "/api/v1/counters?period=2021-08-20&kind=cumulative&device={}",
            f.seed.dev2
        ))
        .await;
    assert_eq!(body["unit"], "day");
    assert_eq!(body["devices"][0]["periods"]["2021-08-20"]["total1"], 10385);

    // Daily usage over a month: the gap's pages land on the first day with a reading.
    let body = f
        .get_ok(&format!(
            "/api/v1/counters?unit=day&from=2021-09-01&to=2021-09-30&device={}",
            f.seed.dev1
        ))
        .await;
    let days = &body["devices"][0]["periods"];
    assert_eq!(days["2021-09-29"], Value::Null);
    assert_eq!(days["2021-09-30"]["total1"], 377);
}

#[tokio::test]
async fn lfp_counters_come_in_their_unit_and_group_filters_apply() {
    let f = fixture().await;
    let body = f
        .get_ok("/api/v1/counters?period=2021-08&class=lfp&kind=cumulative")
        .await;
    let d = row(&body, f.seed.plotter);
    assert_eq!(d["lfp_unit"], "a4");
    assert_eq!(
        d["periods"]["2021-08"],
        json!({"total1": 12.5, "duty_a": 2.25, "duty_b": null, "duty_c": null, "duty_d": null})
    );

    let body = f
        .get_ok(&format!(
            "/api/v1/counters?period=2021-08&group={}",
            f.seed.group
        ))
        .await;
    let ids: Vec<i64> = body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [f.seed.dev2]);
    let body = f.get_ok("/api/v1/counters?period=2021-08&group=none").await;
    let ids: Vec<i64> = body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [f.seed.dev1, f.seed.printer]);
    // A device outside the selected group is not found.
    let (status, _) = f
        .app
        .get(
            &format!(
                "/api/v1/counters?period=2021-08&group={}&device={}",
                f.seed.group, f.seed.dev1
            ),
            &f.read,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_s12_limits_are_refused_with_a_clear_message() {
    let f = fixture().await;
    let cases = [
        (
            "unit=month&from=2021-01&to=2022-01",
            "to",
            "a monthly period can be at most 12 months",
        ),
        (
            "unit=day&from=2021-08-01&to=2021-11-01",
            "to",
            "a daily period can be at most 3 months (the end at most 2021-10-31)",
        ),
        (
            "unit=month&from=2021-09&to=2021-08",
            "to",
            "the period end is before its start",
        ),
        (
            "unit=month&from=2021-13&to=2021-12",
            "from",
            "from: expected a month as YYYY-MM",
        ),
        ("unit=month&to=2021-02", "from", "is required"),
        (
            "unit=month&from=2021-01&to=2021-02&kind=total",
            "kind",
            "must be usage or cumulative",
        ),
    ];
    for (query, field, message) in cases {
        let (status, body) = f
            .app
            .get(&format!("/api/v1/counters?{query}"), &f.read)
            .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field, "{query}");
        assert_eq!(body["error"]["details"][0]["message"], message, "{query}");
    }
}

#[tokio::test]
async fn the_device_list_and_detail_show_status_group_and_last_reading() {
    let f = fixture().await;
    let (status, body) = f.app.get("/api/v1/devices", &f.read).await;
    assert_eq!(status, 200);
    assert_eq!(body["devices"].as_array().unwrap().len(), 4);
    let d1 = row(&body, f.seed.dev1);
    assert_eq!(d1["status"], "normal");
    assert_eq!(d1["last_reading_at"], "2021-11-30T09:00:00Z");
    assert_eq!(d1["device_type"], "color_mfp");
    let body = f
        .get_ok(&format!("/api/v1/devices?group={}", f.seed.group))
        .await;
    assert_eq!(body["devices"].as_array().unwrap().len(), 1);
    let body = f
        .get_ok(&format!("/api/v1/devices/{}", f.seed.plotter))
        .await;
    assert_eq!(body["lfp_unit"], "a4");
    assert_eq!(body["conditions"], json!([]));
    assert_eq!(body["toner_admin"], Value::Null);
    let (status, _) = f.app.get("/api/v1/devices/999999", &f.read).await;
    assert_eq!(status, 404);
    let (status, _) = f.app.get("/api/v1/devices/abc", &f.read).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn another_tenant_s_token_sees_none_of_this_tenant_s_data_on_any_route() {
    let f = fixture().await;
    let other = f.app.tenant("Other", "Asia/Tokyo").await;
    let own = f.app.device(&other, mfp("OTHER-1", "theirs")).await;
    let token = f.app.read_token(&other).await;
    let _ = &f.tenant;

    // /api/v1/devices lists only its own device, also with this tenant's group id.
    let (_, body) = f.app.get("/api/v1/devices", &token).await;
    let ids: Vec<i64> = body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [own]);
    assert_eq!(
        f.app
            .get(&format!("/api/v1/devices?group={}", f.seed.group), &token)
            .await
            .0,
        404
    );
    // /api/v1/devices/{id}
    for id in [f.seed.dev1, f.seed.dev2, f.seed.printer, f.seed.plotter] {
        assert_eq!(
            f.app.get(&format!("/api/v1/devices/{id}"), &token).await.0,
            404
        );
    }
    // /api/v1/counters: the table holds its own device only, with no data.
    let (_, body) = f
        .app
        .get(
            "/api/v1/counters?unit=month&from=2021-08&to=2021-11",
            &token,
        )
        .await;
    assert_eq!(body["devices"].as_array().unwrap().len(), 1);
    assert_eq!(body["devices"][0]["id"], own);
    assert_eq!(body["total"]["total"]["total1"], Value::Null);
    for q in [
        format!("unit=month&from=2021-08&to=2021-11&device={}", f.seed.dev1),
        format!("period=2021-08&device={}", f.seed.dev2),
        format!("period=2021-08&group={}", f.seed.group),
        format!("period=2021-08&class=lfp&device={}", f.seed.plotter),
    ] {
        assert_eq!(
            f.app.get(&format!("/api/v1/counters?{q}"), &token).await.0,
            404,
            "{q}"
        );
        assert_eq!(
            f.app
                .get(&format!("/api/v1/counters.csv?{q}"), &token)
                .await
                .0,
            404,
            "csv {q}"
        );
    }
    let res = f
        .app
        .get_raw(
            "/api/v1/counters.csv?unit=month&from=2021-08&to=2021-11",
            &token,
        )
        .await;
    let text = res.text().await.unwrap();
    assert!(!text.contains("本社") && !text.contains("455"), "{text}");
}

/// The counters query keeps a large tenant's device list in memory; every change to the
/// devices or groups, made here through another connection to the same database as another
/// process would, shows in the next answer, and no other tenant's device ever does.
#[tokio::test]
async fn a_large_tenant_s_counters_follow_every_change_to_its_devices_and_groups() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Fleet", "Asia/Tokyo").await;
    let neighbour = app.tenant("Neighbour", "Asia/Tokyo").await;
    let theirs = app.device(&neighbour, mfp("THEIRS-1", "Their MFP")).await;
    let mut ids = Vec::new();
    for i in 0..520 {
        ids.push(
            app.device(&tenant, mfp(&format!("F{i:04}"), &format!("MFP {i}")))
                .await,
        );
    }
    let read = app.read_token(&tenant).await;
    let their_read = app.read_token(&neighbour).await;
    let path = "/api/v1/counters?unit=month&from=2021-01&to=2021-12&kind=usage";
    let listed = |body: &Value| -> Vec<(i64, Value, Value)> {
        body["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["id"].as_i64().unwrap(),
                    d["name"].clone(),
                    d["group"].clone(),
                )
            })
            .collect()
    };
    let (status, body) = app.get(path, &read).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(listed(&body).len(), 520);
    assert!(
        listed(&body)
            .iter()
            .all(|(id, _, g)| *id != theirs && g.is_null())
    );
    // Asked twice: the second answer comes from the kept list and is the same.
    assert_eq!(app.get(path, &read).await.1, body);

    let other = meterport_store::Store::open(&app.db.url).await.unwrap();
    let (x, y, z) = (ids[3], ids[250], ids[100]);
    let group = other
        .create_group(tenant.id, "Sales", &[x], 0)
        .await
        .unwrap();
    let (_, body) = app.get(path, &read).await;
    assert_eq!(
        row(&body, x)["group"],
        json!({"id": group.id, "name": "Sales"})
    );

    other
        .rename_group(tenant.id, group.id, "Sales West")
        .await
        .unwrap();
    other
        .set_device_settings(tenant.id, y, Some(group.id), None)
        .await
        .unwrap();
    let (_, body) = app.get(path, &read).await;
    for id in [x, y] {
        assert_eq!(
            row(&body, id)["group"],
            json!({"id": group.id, "name": "Sales West"})
        );
    }
    let (_, in_group) = app.get(&format!("{path}&group={}", group.id), &read).await;
    let members: Vec<i64> = listed(&in_group).iter().map(|(id, _, _)| *id).collect();
    assert_eq!(members, vec![x, y]);
    let (_, ungrouped) = app.get(&format!("{path}&group=none"), &read).await;
    assert_eq!(listed(&ungrouped).len(), 518);

    other.delete_groups(tenant.id, &[group.id]).await.unwrap();
    other.delete_device(tenant.id, z).await.unwrap();
    let added = {
        let input: meterport_domain::device::DeviceInput =
            serde_json::from_value(mfp("F-NEW", "Newcomer")).unwrap();
        other
            .create_device(tenant.id, &input.parse().unwrap(), 0)
            .await
            .unwrap()
            .id
    };
    let (_, body) = app.get(path, &read).await;
    let now = listed(&body);
    assert_eq!(now.len(), 520);
    assert!(
        now.iter()
            .all(|(id, _, g)| *id != z && *id != theirs && g.is_null())
    );
    assert_eq!(row(&body, added)["name"], "Newcomer");

    // The neighbour's list is its own, kept or not.
    let (_, body) = app.get(path, &their_read).await;
    let theirs_listed: Vec<i64> = listed(&body).iter().map(|(id, _, _)| *id).collect();
    assert_eq!(theirs_listed, vec![theirs]);
    other.close().await;
}

#[tokio::test]
async fn a_never_reported_smtp_device_is_normal_in_the_read_api_as_on_the_screens() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let mut smtp = mfp("SN-MAIL", "Mail MFP");
    smtp["protocol"] = json!("smtp");
    let mail = app.device(&tenant, smtp).await;
    let http = app.device(&tenant, mfp("SN-HTTP", "HTTP MFP")).await;
    let read = app.read_token(&tenant).await;
    let (status, body) = app.get("/api/v1/devices", &read).await;
    assert_eq!(status, 200, "{body}");
    let shown = |id: i64| {
        body["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    // S9: an SMTP device cannot send status, so it is normal even before its first mail;
    // a device of another protocol that never reported is unknown.
    assert_eq!(shown(mail), "normal");
    assert_eq!(shown(http), "unknown");
    let (_, one) = app.get(&format!("/api/v1/devices/{mail}"), &read).await;
    assert_eq!(one["status"], "normal");
}

#[tokio::test]
async fn without_a_unit_the_start_s_shape_says_months_or_days_as_on_the_screens() {
    let f = fixture().await;
    for (query, unit, periods) in [
        ("from=2021-08&to=2021-09", "month", 2),
        ("from=2021-08-30&to=2021-09-02", "day", 4),
    ] {
        let (status, body) = f
            .app
            .get(&format!("/api/v1/counters?{query}"), &f.read)
            .await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body["unit"], unit);
        assert_eq!(body["periods"].as_array().unwrap().len(), periods);
    }
}

#[tokio::test]
async fn the_device_detail_lists_its_supplies_with_the_state_the_screens_show() {
    let f = fixture().await;
    let body = f.get_ok(&format!("/api/v1/devices/{}", f.seed.dev1)).await;
    assert_eq!(body["supplies"], json!([]), "no report yet");
    let serial = body["serial"].as_str().unwrap().to_string();
    let ingest = f.app.ingest_token(&f.tenant).await;
    f.app.ingest_ok("status", &ingest, &json!({"serial": serial, "at": "2021-11-30T10:00:00Z", "conditions": [],
                "supplies": [
                    {"name": "Black Toner", "kind": "toner", "color": "black", "level_percent": 62},
                    {"name": "Cyan Toner", "kind": "toner", "color": "cyan", "level_percent": 8},
                    {"name": "Yellow Toner", "kind": "toner", "color": "yellow",
                     "level_percent": null, "state": "some_remaining"},
                    {"name": "Magenta Toner", "kind": "toner", "color": "magenta", "level_percent": 0},
                    {"name": "Waste Toner", "kind": "other", "level_percent": 5, "state": "ok"},
                    {"name": "Drum", "kind": "drum", "level_percent": null}]})).await;
    let body = f.get_ok(&format!("/api/v1/devices/{}", f.seed.dev1)).await;
    assert_eq!(
        body["supplies"],
        json!([
            {"name": "Black Toner", "kind": "toner", "color": "black", "level_percent": 62, "state": "ok",
             "expected_empty": null},
            {"name": "Cyan Toner", "kind": "toner", "color": "cyan", "level_percent": 8, "state": "low",
             "expected_empty": null},
            {"name": "Yellow Toner", "kind": "toner", "color": "yellow", "level_percent": null,
             "state": "some_remaining", "expected_empty": null},
            {"name": "Magenta Toner", "kind": "toner", "color": "magenta", "level_percent": 0, "state": "empty",
             "expected_empty": null},
            {"name": "Waste Toner", "kind": "other", "color": null, "level_percent": 5, "state": "ok",
             "expected_empty": null},
            {"name": "Drum", "kind": "drum", "color": null, "level_percent": null, "state": "unknown",
             "expected_empty": null},
        ])
    );
    let (status, answer) = f
        .app
        .post(
            "/api/v1/ingest/status",
            &ingest,
            &json!({"serial": serial, "at": "2021-11-30T11:00:00Z", "conditions": [],
                "supplies": [{"name": "T", "kind": "toner", "state": "half"}]}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(answer["error"]["details"][0]["field"], "supplies[0].state");
}
