//! The operator API (SPEC §7, O1) and `meterport admin`: every route's success and its
//! refusals, the operator token, and that a refused request changes nothing.

use crate::harness::{OPERATOR_TOKEN, T0, TestApp, TestDb, admin, lfp, mfp};
use meterport_portal::app::{AppState, router};
use meterport_portal::clock::ManualClock;
use meterport_portal::service::Services;
use meterport_store::Store;
use serde_json::{Value, json};

const ADMIN: &str = "/api/v1/admin/tenants";

// ---- helpers ---------------------------------------------------------------------------------

impl TestApp {
    async fn admin_post(&self, path: &str, body: Value) -> (u16, Value) {
        self.post(path, OPERATOR_TOKEN, &body).await
    }

    async fn admin_get(&self, path: &str) -> (u16, Value) {
        self.get(path, OPERATOR_TOKEN).await
    }

    async fn admin_delete(&self, path: &str) -> (u16, Value) {
        self.operator(reqwest::Method::DELETE, path, None).await
    }

    async fn admin_patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.operator(reqwest::Method::PATCH, path, Some(body))
            .await
    }

    /// A tenant made through the API; returns its id.
    async fn api_tenant(&self, name: &str) -> i64 {
        let (status, body) = self.admin_post(ADMIN, json!({"name": name})).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().unwrap()
    }

    async fn api_user(&self, tenant: i64, username: &str) -> i64 {
        let (status, body) = self
            .admin_post(
                &format!("{ADMIN}/{tenant}/users"),
                json!({"username": username, "password": "secret1"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().unwrap()
    }

    async fn api_device(&self, tenant: i64, device: Value) -> i64 {
        let (status, body) = self
            .admin_post(&format!("{ADMIN}/{tenant}/devices"), device)
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().unwrap()
    }

    /// The list under `key` of a GET.
    async fn admin_list(&self, path: &str, key: &str) -> Vec<Value> {
        let (status, body) = self.admin_get(path).await;
        assert_eq!(status, 200, "{body}");
        body[key].as_array().expect("a list").clone()
    }

    /// device id → group name (or null), as the operator's device list shows it.
    async fn groups_of_devices(&self, tenant: i64) -> Vec<(i64, Value)> {
        self.admin_list(&format!("{ADMIN}/{tenant}/devices"), "devices")
            .await
            .iter()
            .map(|d| (d["id"].as_i64().unwrap(), d["group"]["name"].clone()))
            .collect()
    }
}

/// A portal with the tenant "Acme" made through the operator API; its id.
async fn acme() -> (TestApp, i64) {
    let app = TestApp::spawn().await;
    let tenant = app.api_tenant("Acme").await;
    (app, tenant)
}

/// The `(field, code)` pairs of a 422's details, after checking the §7 error shape.
fn refusal(status: u16, body: &Value) -> Vec<(String, String)> {
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    assert!(
        !body["error"]["message"].as_str().unwrap().is_empty(),
        "{body}"
    );
    body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| {
            assert!(!d["message"].as_str().unwrap().is_empty(), "{d}");
            (
                d["field"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Asserts that a request was refused (422) naming exactly these `(field, code)` pairs.
#[track_caller]
fn assert_refused(status: u16, body: &Value, expected: &[(&str, &str)]) {
    assert_eq!(refusal(status, body), pairs(expected), "{body}");
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect()
}

fn names(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

// ---- the operator token -----------------------------------------------------------------------

#[tokio::test]
async fn a_request_without_the_operator_token_or_with_a_wrong_one_is_refused_with_401() {
    let (app, tenant) = acme().await;
    let ingest = app
        .ingest_token(&app.store.tenant(tenant).await.unwrap())
        .await;

    let missing = app
        .client
        .get(app.url(ADMIN))
        .send()
        .await
        .expect("request");
    let (wrong, wrong_body) = app.get(ADMIN, "not-the-operator-token").await;
    let (prefix, _) = app
        .get(ADMIN, &OPERATOR_TOKEN[..OPERATOR_TOKEN.len() - 1])
        .await;
    let (longer, _) = app.get(ADMIN, &format!("{OPERATOR_TOKEN}x")).await;
    let (tenant_token, _) = app.post(ADMIN, &ingest, &json!({"name": "Intruder"})).await;

    assert_eq!(missing.status().as_u16(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_eq!(wrong, 401);
    assert_eq!(wrong_body["error"]["code"], "unauthorized");
    assert_eq!(prefix, 401);
    assert_eq!(longer, 401);
    assert_eq!(tenant_token, 401, "an ingest token is no operator token");
    let tenants = app.admin_list(ADMIN, "tenants").await;
    assert_eq!(
        names(&tenants),
        ["Acme"],
        "the refused create changed nothing"
    );
}

#[tokio::test]
async fn the_operator_api_answers_404_everywhere_when_no_operator_token_is_configured() {
    let db = TestDb::new().await;
    let store = Store::open(&db.url).await.unwrap();
    let tenant = store
        .create_tenant("Acme", "Asia/Tokyo", None, T0)
        .await
        .unwrap();
    let state = AppState::new(Services::new(store.clone()), ManualClock::new(T0), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // Served like the harness serves, with the client address known to the app.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let client = reqwest::Client::new();

    let mut statuses = Vec::new();
    for (method, path) in [
        (reqwest::Method::GET, ADMIN.to_string()),
        (reqwest::Method::POST, ADMIN.to_string()),
        (
            reqwest::Method::POST,
            format!("{ADMIN}/{}/users", tenant.id),
        ),
        (
            reqwest::Method::POST,
            format!("{ADMIN}/{}/ingest-tokens", tenant.id),
        ),
        (
            reqwest::Method::DELETE,
            format!("{ADMIN}/{}/tokens/1", tenant.id),
        ),
    ] {
        for token in [OPERATOR_TOKEN, ""] {
            let res = client
                .request(method.clone(), format!("{base}{path}"))
                .bearer_auth(token)
                .json(&json!({"name": "Other", "username": "sato", "password": "abc123"}))
                .send()
                .await
                .unwrap();
            statuses.push(res.status().as_u16());
        }
    }

    assert!(statuses.iter().all(|s| *s == 404), "{statuses:?}");
    assert_eq!(store.list_tenants_all().await.unwrap().len(), 1);
    assert!(store.list_users(tenant.id).await.unwrap().is_empty());
    assert!(store.list_tokens(tenant.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_tenant_that_does_not_exist_answers_404_on_every_tenant_route() {
    let app = TestApp::spawn().await;
    app.api_tenant("Acme").await;
    let t = format!("{ADMIN}/999");

    let mut statuses = Vec::new();
    for path in [
        t.clone(),
        format!("{t}/users"),
        format!("{t}/devices"),
        format!("{t}/groups"),
        format!("{t}/tokens"),
        format!("{t}/unknown-serials"),
        format!("{ADMIN}/not-a-number/users"),
    ] {
        statuses.push(app.admin_get(&path).await.0);
    }
    for (path, body) in [
        (
            format!("{t}/users"),
            json!({"username": "sato", "password": "abc123"}),
        ),
        (format!("{t}/devices"), mfp("X1", "MFP")),
        (
            format!("{t}/groups"),
            json!({"name": "G", "device_ids": []}),
        ),
        (format!("{t}/ingest-tokens"), json!({})),
        (format!("{t}/api-tokens"), json!({"username": "sato"})),
        (format!("{t}/users/1/unlock"), json!({})),
        (
            format!("{t}/users/1/reset-password"),
            json!({"password": "abc123"}),
        ),
    ] {
        statuses.push(app.admin_post(&path, body).await.0);
    }
    for path in [
        format!("{t}/users/1"),
        format!("{t}/devices/1"),
        format!("{t}/groups/1"),
        format!("{t}/tokens/1"),
    ] {
        statuses.push(app.admin_delete(&path).await.0);
    }
    let (patch, body) = app
        .admin_patch(&format!("{t}/groups/1"), json!({"name": "G"}))
        .await;
    statuses.push(patch);

    assert!(statuses.iter().all(|s| *s == 404), "{statuses:?}");
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["message"], "no such tenant");
}

// ---- tenants ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_tenant_is_created_with_tokyo_time_and_39_months_unless_told_otherwise() {
    let app = TestApp::spawn().await;

    let (status, plain) = app.admin_post(ADMIN, json!({"name": " Acme "})).await;
    let (_, berlin) = app
        .admin_post(
            ADMIN,
            json!({"name": "Berlin GmbH", "timezone": "europe/berlin", "retention_months": null}),
        )
        .await;
    let (_, short) = app
        .admin_post(
            ADMIN,
            json!({"name": "Short", "timezone": "UTC", "retention_months": 1}),
        )
        .await;

    assert_eq!(status, 201, "{plain}");
    assert_eq!(plain["name"], "Acme");
    assert_eq!(plain["timezone"], "Asia/Tokyo");
    assert_eq!(plain["retention_months"], 39);
    assert_eq!(
        berlin["timezone"], "Europe/Berlin",
        "the canonical name is kept"
    );
    assert_eq!(
        berlin["retention_months"],
        Value::Null,
        "null keeps every reading"
    );
    assert_eq!(short["retention_months"], 1);
    let tenants = app.admin_list(ADMIN, "tenants").await;
    assert_eq!(names(&tenants), ["Acme", "Berlin GmbH", "Short"]);
    let (status, one) = app.admin_get(&format!("{ADMIN}/{}", plain["id"])).await;
    assert_eq!((status, &one), (200, &plain));
    let stored = app
        .store
        .tenant(berlin["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.retention_months, None);
}

#[tokio::test]
async fn a_tenant_with_a_bad_time_zone_name_or_retention_is_refused_and_not_created() {
    let app = TestApp::spawn().await;
    app.api_tenant("Acme").await;

    let (s1, zone) = app
        .admin_post(ADMIN, json!({"name": "A", "timezone": "Mars/Olympus"}))
        .await;
    let (s2, zero) = app
        .admin_post(ADMIN, json!({"name": "B", "retention_months": 0}))
        .await;
    let (s3, long) = app
        .admin_post(ADMIN, json!({"name": "C", "retention_months": 601}))
        .await;
    let (s4, all) = app
        .admin_post(
            ADMIN,
            json!({"name": "", "timezone": "+09:00", "retention_months": -1}),
        )
        .await;
    let (s5, text) = app
        .admin_post(ADMIN, json!({"name": "D", "retention_months": "forever"}))
        .await;
    let (s6, dup) = app.admin_post(ADMIN, json!({"name": "Acme"})).await;
    let (s7, control) = app.admin_post(ADMIN, json!({"name": "A\u{7}cme"})).await;
    let (s8, unknown) = app
        .admin_post(ADMIN, json!({"name": "E", "colour": "red"}))
        .await;
    let malformed = app
        .client
        .post(app.url(ADMIN))
        .bearer_auth(OPERATOR_TOKEN)
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();

    assert_refused(s1, &zone, &[("timezone", "invalid_timezone")]);
    assert_refused(s2, &zero, &[("retention_months", "out_of_range")]);
    assert_refused(s3, &long, &[("retention_months", "out_of_range")]);
    assert_refused(
        s4,
        &all,
        &[
            ("name", "required"),
            ("timezone", "invalid_timezone"),
            ("retention_months", "out_of_range"),
        ],
    );
    assert_refused(s5, &text, &[("body", "invalid_json")]);
    assert_refused(s6, &dup, &[("name", "taken")]);
    assert_refused(s7, &control, &[("name", "control_character")]);
    assert_refused(s8, &unknown, &[("body", "invalid_json")]);
    assert!(
        unknown["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`")
    );
    assert_eq!(malformed.status().as_u16(), 400);
    let tenants = app.admin_list(ADMIN, "tenants").await;
    assert_eq!(names(&tenants), ["Acme"]);
}

// ---- users ------------------------------------------------------------------------------------

#[tokio::test]
async fn a_user_is_created_with_a_normalised_name_and_listed_without_the_password() {
    let (app, tenant) = acme().await;
    let users = format!("{ADMIN}/{tenant}/users");

    let (status, sato) = app
        .admin_post(
            &users,
            json!({"username": " Sato.Taro ", "password": "secret1",
                   "email": "sato@example.co.jp", "language": "en"}),
        )
        .await;
    let (_, suzuki) = app
        .admin_post(
            &users,
            json!({"username": "suzuki", "password": "pass word 9"}),
        )
        .await;

    assert_eq!(status, 201, "{sato}");
    assert_eq!(sato["username"], "sato.taro");
    assert_eq!(sato["email"], "sato@example.co.jp");
    assert_eq!(sato["language"], "en");
    assert_eq!(sato["must_change_password"], false);
    assert_eq!(suzuki["language"], "ja", "Japanese unless told otherwise");
    assert_eq!(suzuki["email"], Value::Null);
    let listed = app.admin_list(&users, "users").await;
    assert_eq!(
        listed
            .iter()
            .map(|u| u["username"].clone())
            .collect::<Vec<_>>(),
        ["sato.taro", "suzuki"]
    );
    let text = serde_json::to_string(&listed).unwrap();
    assert!(
        !text.contains("argon2") && !text.contains("secret1"),
        "{text}"
    );
    let stored = app
        .store
        .user_by_username_any_tenant("sato.taro")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    assert!(meterport_store::users::verify_password(
        "secret1",
        &stored.password_hash
    ));
}

#[tokio::test]
async fn a_password_breaking_the_s24_rules_is_refused_naming_each_rule() {
    let (app, tenant) = acme().await;
    let users = format!("{ADMIN}/{tenant}/users");
    let cases: [(&str, &[&str]); 6] = [
        ("abc12", &["too_short"]),
        ("ABCDEFG", &["missing_lowercase", "missing_digit"]),
        ("abcdefg", &["missing_digit"]),
        ("1234567", &["missing_lowercase"]),
        ("ａbc1234", &["not_half_width"]),
        ("", &["required"]),
    ];

    for (password, codes) in cases {
        let (status, body) = app
            .admin_post(&users, json!({"username": "sato", "password": password}))
            .await;

        let expected: Vec<(String, String)> = codes
            .iter()
            .map(|c| ("password".to_string(), c.to_string()))
            .collect();
        assert_eq!(refusal(status, &body), expected, "{password:?}");
        assert!(
            !body.to_string().contains(password) || password.is_empty(),
            "a message never repeats the password"
        );
    }
    let too_long = format!("a1{}", "x".repeat(511));
    let (status, body) = app
        .admin_post(&users, json!({"username": "sato", "password": too_long}))
        .await;
    assert_refused(status, &body, &[("password", "too_long")]);
    assert!(app.admin_list(&users, "users").await.is_empty());
}

#[tokio::test]
async fn a_user_name_taken_in_any_tenant_and_other_bad_fields_are_all_reported_at_once() {
    let app = TestApp::spawn().await;
    let acme = app.api_tenant("Acme").await;
    let other = app.api_tenant("Other").await;
    app.api_user(acme, "sato").await;

    let (s1, same_tenant) = app
        .admin_post(
            &format!("{ADMIN}/{acme}/users"),
            json!({"username": "SATO", "password": "secret2"}),
        )
        .await;
    let (s2, other_tenant) = app
        .admin_post(
            &format!("{ADMIN}/{other}/users"),
            json!({"username": "sato", "password": "secret2"}),
        )
        .await;
    let (s3, everything) = app
        .admin_post(
            &format!("{ADMIN}/{other}/users"),
            json!({"username": "sa to", "password": "short", "email": "not-an-address",
                   "language": "fr"}),
        )
        .await;
    let (s4, missing) = app
        .admin_post(&format!("{ADMIN}/{other}/users"), json!({}))
        .await;

    assert_refused(s1, &same_tenant, &[("username", "taken")]);
    assert_refused(s2, &other_tenant, &[("username", "taken")]);
    assert_refused(
        s3,
        &everything,
        &[
            ("username", "invalid_character"),
            ("password", "too_short"),
            ("password", "missing_digit"),
            ("email", "invalid"),
            ("language", "invalid_choice"),
        ],
    );
    assert_refused(
        s4,
        &missing,
        &[("username", "required"), ("password", "required")],
    );
    assert_eq!(
        app.admin_list(&format!("{ADMIN}/{acme}/users"), "users")
            .await
            .len(),
        1
    );
    assert!(
        app.admin_list(&format!("{ADMIN}/{other}/users"), "users")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_reset_password_must_be_changed_at_the_next_login_and_ends_the_lock() {
    let (app, tenant) = acme().await;
    let user = app.api_user(tenant, "sato").await;
    app.store
        .record_login_failure(tenant, user, 5, Some(T0 + 720_000))
        .await
        .unwrap();
    app.clock.advance(60_000);
    let path = format!("{ADMIN}/{tenant}/users/{user}/reset-password");

    let (bad, refused) = app.admin_post(&path, json!({"password": "nodigits"})).await;
    let after_refusal = app.store.user(tenant, user).await.unwrap();
    let (status, body) = app.admin_post(&path, json!({"password": "fresh123"})).await;

    assert_refused(bad, &refused, &[("password", "missing_digit")]);
    assert!(
        !after_refusal.must_change_password,
        "the refusal changed nothing"
    );
    assert_eq!(after_refusal.locked_until, Some(T0 + 720_000));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["must_change_password"], true);
    assert_eq!(body["locked_until"], Value::Null);
    assert_eq!(body["failed_logins"], 0);
    let stored = app.store.user(tenant, user).await.unwrap();
    assert_eq!(
        stored.password_changed_at,
        T0 + 60_000,
        "expiry starts again"
    );
    assert!(meterport_store::users::verify_password(
        "fresh123",
        &stored.password_hash
    ));
    assert!(!meterport_store::users::verify_password(
        "secret1",
        &stored.password_hash
    ));
    let (missing, _) = app
        .admin_post(
            &format!("{ADMIN}/{tenant}/users/999/reset-password"),
            json!({"password": "fresh123"}),
        )
        .await;
    assert_eq!(missing, 404);
}

#[tokio::test]
async fn unlocking_a_user_clears_the_lock_and_the_failed_logins() {
    let (app, tenant) = acme().await;
    let user = app.api_user(tenant, "sato").await;
    app.store
        .record_login_failure(tenant, user, 5, Some(T0 + 720_000))
        .await
        .unwrap();
    let (_, before) = app
        .admin_get(&format!("{ADMIN}/{tenant}/users/{user}"))
        .await;

    let (status, body) = app
        .admin_post(&format!("{ADMIN}/{tenant}/users/{user}/unlock"), json!({}))
        .await;

    assert_eq!(before["failed_logins"], 5);
    assert_eq!(before["locked_until"], "2021-12-01T00:12:00Z");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["failed_logins"], 0);
    assert_eq!(body["locked_until"], Value::Null);
    let stored = app.store.user(tenant, user).await.unwrap();
    assert_eq!((stored.failed_logins, stored.locked_until), (0, None));
}

#[tokio::test]
async fn a_user_of_another_tenant_cannot_be_reached_through_this_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.api_tenant("Acme").await;
    let other = app.api_tenant("Other").await;
    let sato = app.api_user(acme, "sato").await;
    let base = format!("{ADMIN}/{other}/users/{sato}");

    let (get, _) = app.admin_get(&base).await;
    let (delete, _) = app.admin_delete(&base).await;
    let (unlock, _) = app.admin_post(&format!("{base}/unlock"), json!({})).await;
    let (reset, _) = app
        .admin_post(
            &format!("{base}/reset-password"),
            json!({"password": "fresh123"}),
        )
        .await;

    assert_eq!([get, delete, unlock, reset], [404; 4]);
    let stored = app.store.user(acme, sato).await.unwrap();
    assert!(!stored.must_change_password);
}

#[tokio::test]
async fn deleting_a_user_revokes_its_read_tokens() {
    let (app, tenant) = acme().await;
    let user = app.api_user(tenant, "sato").await;
    let (_, issued) = app
        .admin_post(
            &format!("{ADMIN}/{tenant}/api-tokens"),
            json!({"username": "sato"}),
        )
        .await;
    let token = issued["token"].as_str().unwrap();
    let (before, _) = app.get("/api/v1/devices", token).await;

    let (status, _) = app
        .admin_delete(&format!("{ADMIN}/{tenant}/users/{user}"))
        .await;

    assert_eq!(before, 200);
    assert_eq!(status, 204);
    assert_eq!(app.get("/api/v1/devices", token).await.0, 401);
    assert!(
        app.admin_list(&format!("{ADMIN}/{tenant}/users"), "users")
            .await
            .is_empty()
    );
    let tokens = app
        .admin_list(&format!("{ADMIN}/{tenant}/tokens"), "tokens")
        .await;
    assert_eq!(tokens.len(), 1);
    assert_ne!(tokens[0]["revoked_at"], Value::Null);
    let (again, _) = app
        .admin_delete(&format!("{ADMIN}/{tenant}/users/{user}"))
        .await;
    assert_eq!(again, 404);
}

// ---- devices ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_device_is_registered_with_every_field_and_listed() {
    let (app, tenant) = acme().await;
    let devices = format!("{ADMIN}/{tenant}/devices");

    let (status, plotter) = app
        .admin_post(
            &devices,
            json!({"serial": "LFP-001", "name": "Plotter", "product": "imagePROGRAF TX-4100",
                   "device_type": "lfp", "protocol": "snmp", "mac": "00-1a-2b-3c-4d-5e",
                   "host": "plotter.example.jp", "building": "本社", "location": "3F",
                   "remote_ui_url": "https://192.168.1.20/", "lfp_unit": "m2"}),
        )
        .await;
    let mfp_id = app.api_device(tenant, mfp("MFP-001", "Copier")).await;

    assert_eq!(status, 201, "{plotter}");
    assert_eq!(
        plotter,
        json!({"id": plotter["id"], "serial": "LFP-001", "name": "Plotter",
               "product": "imagePROGRAF TX-4100", "device_type": "lfp", "protocol": "snmp",
               "status": "unknown", "mac": "00:1A:2B:3C:4D:5E", "host": "plotter.example.jp",
               "building": "本社", "location": "3F", "remote_ui_url": "https://192.168.1.20/",
               "lfp_unit": "m2", "group": null, "toner_admin": null, "last_reading_at": null,
               "last_mail_at": null, "last_report_at": null, "late_after_hours": null})
    );
    let listed = app.admin_list(&devices, "devices").await;
    assert_eq!(names(&listed), ["Copier", "Plotter"]);
    let (_, one) = app.admin_get(&format!("{devices}/{mfp_id}")).await;
    assert_eq!(one["serial"], "MFP-001");
    let read = app
        .read_token(&app.store.tenant(tenant).await.unwrap())
        .await;
    let (_, seen) = app
        .get(&format!("/api/v1/devices/{}", plotter["id"]), &read)
        .await;
    assert_eq!(
        seen["lfp_unit"], "m2",
        "the customer sees what the operator registered"
    );
}

#[tokio::test]
async fn bad_device_fields_are_refused_each_by_name_and_nothing_is_registered() {
    let app = TestApp::spawn().await;
    let acme = app.api_tenant("Acme").await;
    let other = app.api_tenant("Other").await;
    app.api_device(other, mfp("TAKEN-1", "Elsewhere")).await;
    let devices = format!("{ADMIN}/{acme}/devices");

    let mut lfp_without_unit = lfp("L1", "Plotter", "a4");
    lfp_without_unit.as_object_mut().unwrap().remove("lfp_unit");
    let mut mfp_with_unit = mfp("M1", "Copier");
    mfp_with_unit["lfp_unit"] = json!("a4");
    let mut bad_everything = mfp("S 1/2", "Copier");
    bad_everything["device_type"] = json!("scanner");
    bad_everything["protocol"] = json!("ftp");
    bad_everything["mac"] = json!("zz");
    bad_everything["host"] = json!("a b");
    bad_everything["remote_ui_url"] = json!("javascript:alert(1)");
    let cases: Vec<(Value, Vec<(String, String)>)> = vec![
        (lfp_without_unit, pairs(&[("lfp_unit", "required")])),
        (
            mfp_with_unit,
            pairs(&[("lfp_unit", "lfp_unit_not_allowed")]),
        ),
        (
            lfp("L2", "Plotter", "yards"),
            pairs(&[("lfp_unit", "invalid_choice")]),
        ),
        (
            bad_everything,
            pairs(&[
                ("serial", "invalid_character"),
                ("device_type", "invalid_choice"),
                ("protocol", "invalid_choice"),
                ("mac", "invalid_mac"),
                ("host", "invalid_host"),
                ("remote_ui_url", "invalid_url"),
            ]),
        ),
        (
            json!({}),
            pairs(&[
                ("serial", "required"),
                ("name", "required"),
                ("product", "required"),
                ("device_type", "required"),
                ("protocol", "required"),
            ]),
        ),
        (mfp("TAKEN-1", "Copier"), pairs(&[("serial", "taken")])),
    ];

    for (body, expected) in cases {
        let (status, answer) = app.admin_post(&devices, body.clone()).await;

        assert_eq!(refusal(status, &answer), expected, "{body}");
    }
    assert!(app.admin_list(&devices, "devices").await.is_empty());
}

#[tokio::test]
async fn deleting_a_device_removes_it_and_another_tenant_s_device_is_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.api_tenant("Acme").await;
    let other = app.api_tenant("Other").await;
    let mine = app.api_device(acme, mfp("A-1", "Mine")).await;
    let theirs = app.api_device(other, mfp("B-1", "Theirs")).await;

    let (cross, _) = app
        .admin_delete(&format!("{ADMIN}/{acme}/devices/{theirs}"))
        .await;
    let (status, _) = app
        .admin_delete(&format!("{ADMIN}/{acme}/devices/{mine}"))
        .await;

    assert_eq!(cross, 404);
    assert_eq!(status, 204);
    assert!(
        app.admin_list(&format!("{ADMIN}/{acme}/devices"), "devices")
            .await
            .is_empty()
    );
    let still = app
        .admin_list(&format!("{ADMIN}/{other}/devices"), "devices")
        .await;
    assert_eq!(names(&still), ["Theirs"]);
}

// ---- groups (S22) -----------------------------------------------------------------------------

#[tokio::test]
async fn a_group_is_created_renamed_given_new_members_and_deleted() {
    let (app, tenant) = acme().await;
    let d1 = app.api_device(tenant, mfp("D-1", "One")).await;
    let d2 = app.api_device(tenant, mfp("D-2", "Two")).await;
    let d3 = app.api_device(tenant, mfp("D-3", "Three")).await;
    let groups = format!("{ADMIN}/{tenant}/groups");

    let (status, created) = app
        .admin_post(
            &groups,
            json!({"name": "営業部 Sales", "device_ids": [d1, d2, d1]}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let (_, empty) = app
        .admin_post(&groups, json!({"name": "Empty", "device_ids": []}))
        .await;
    let after_create = app.groups_of_devices(tenant).await;
    let (renamed_status, renamed) = app
        .admin_patch(&format!("{groups}/{id}"), json!({"name": "Sales"}))
        .await;
    let (_, moved) = app
        .admin_patch(&format!("{groups}/{id}"), json!({"device_ids": [d2, d3]}))
        .await;
    let after_move = app.groups_of_devices(tenant).await;
    let listed = app.admin_list(&groups, "groups").await;
    let (deleted, _) = app.admin_delete(&format!("{groups}/{id}")).await;
    let after_delete = app.groups_of_devices(tenant).await;

    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], "営業部 Sales");
    assert_eq!(
        created["device_count"], 2,
        "a device named twice counts once"
    );
    assert_eq!(empty["device_count"], 0);
    let sales = json!("営業部 Sales");
    assert_eq!(
        after_create,
        [(d1, sales.clone()), (d3, Value::Null), (d2, sales)],
        "devices are listed by name"
    );
    assert_eq!(renamed_status, 200, "{renamed}");
    assert_eq!(renamed["name"], "Sales");
    assert_eq!(moved["device_count"], 2);
    assert_eq!(
        after_move,
        [
            (d1, Value::Null),
            (d3, json!("Sales")),
            (d2, json!("Sales"))
        ],
        "a device left out of the new members goes to no group"
    );
    assert_eq!(
        listed
            .iter()
            .map(|g| (g["name"].clone(), g["device_count"].clone()))
            .collect::<Vec<_>>(),
        [(json!("Empty"), json!(0)), (json!("Sales"), json!(2))]
    );
    assert_eq!(deleted, 204);
    assert!(
        after_delete.iter().all(|(_, g)| g.is_null()),
        "{after_delete:?}"
    );
    assert_eq!(names(&app.admin_list(&groups, "groups").await), ["Empty"]);
}

#[tokio::test]
async fn every_s22_group_name_rule_is_enforced_with_a_message_naming_it() {
    let (app, tenant) = acme().await;
    let groups = format!("{ADMIN}/{tenant}/groups");
    app.api_group(tenant, "Sales", &[]).await;
    let widest = "あ".repeat(25);
    let too_wide = format!("{widest}a");
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "required"),
        ("\u{3000} ".into(), "required"),
        (too_wide, "too_wide"),
        ("a".repeat(51), "too_wide"),
        ("R&D".into(), "forbidden_character"),
        ("a\"b".into(), "forbidden_character"),
        ("100%".into(), "forbidden_character"),
        ("it's".into(), "forbidden_character"),
        ("a/b".into(), "forbidden_character"),
        ("a;b".into(), "forbidden_character"),
        ("<b>".into(), "forbidden_character"),
        ("a\\b".into(), "forbidden_character"),
        ("¥500".into(), "forbidden_character"),
        ("ｴｲｷﾞｮｳ".into(), "half_width_katakana"),
        ("a\tb".into(), "control_character"),
        ("Sales".into(), "taken"),
    ];

    for (name, code) in &cases {
        let (status, body) = app
            .admin_post(&groups, json!({"name": name, "device_ids": []}))
            .await;

        assert_eq!(refusal(status, &body), pairs(&[("name", code)]), "{name:?}");
    }
    let (ok, _) = app
        .admin_post(&groups, json!({"name": widest, "device_ids": []}))
        .await;
    assert_eq!(ok, 201, "25 full-width characters are 50 half-width units");
    let (forbidden, body) = app
        .admin_post(&groups, json!({"name": "a<b>c", "device_ids": []}))
        .await;
    assert_eq!(forbidden, 422);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("(found: < >)"),
        "{body}"
    );
    assert_eq!(names(&app.admin_list(&groups, "groups").await).len(), 2);
}

#[tokio::test]
async fn a_rename_is_checked_by_the_same_rules_and_may_keep_its_own_name() {
    let (app, tenant) = acme().await;
    let groups = format!("{ADMIN}/{tenant}/groups");
    let sales = app.api_group(tenant, "Sales", &[]).await;
    app.api_group(tenant, "Support", &[]).await;

    let (taken, taken_body) = app
        .admin_patch(&format!("{groups}/{sales}"), json!({"name": "Support"}))
        .await;
    let (bad, bad_body) = app
        .admin_patch(&format!("{groups}/{sales}"), json!({"name": "a/b"}))
        .await;
    let (nothing, nothing_body) = app
        .admin_patch(&format!("{groups}/{sales}"), json!({}))
        .await;
    let (same, _) = app
        .admin_patch(&format!("{groups}/{sales}"), json!({"name": " Sales "}))
        .await;
    let (missing, _) = app
        .admin_patch(&format!("{groups}/99999"), json!({"name": "X"}))
        .await;

    assert_refused(taken, &taken_body, &[("name", "taken")]);
    assert_refused(bad, &bad_body, &[("name", "forbidden_character")]);
    assert_refused(nothing, &nothing_body, &[("name", "nothing_to_change")]);
    assert_eq!(same, 200);
    assert_eq!(missing, 404);
    assert_eq!(
        names(&app.admin_list(&groups, "groups").await),
        ["Sales", "Support"]
    );
}

#[tokio::test]
async fn a_tenant_may_have_200_groups_and_the_201st_is_refused() {
    let (app, tenant) = acme().await;
    let other = app.api_tenant("Other").await;
    for i in 0..200 {
        app.store
            .create_group(tenant, &format!("G{i:03}"), &[], T0)
            .await
            .unwrap();
    }

    let (status, body) = app
        .admin_post(
            &format!("{ADMIN}/{tenant}/groups"),
            json!({"name": "One too many", "device_ids": []}),
        )
        .await;
    let (other_status, _) = app
        .admin_post(
            &format!("{ADMIN}/{other}/groups"),
            json!({"name": "One too many", "device_ids": []}),
        )
        .await;

    assert_refused(status, &body, &[("name", "too_many_groups")]);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 200")
    );
    assert_eq!(other_status, 201, "the limit is per tenant");
    let listed = app
        .admin_list(&format!("{ADMIN}/{tenant}/groups"), "groups")
        .await;
    assert_eq!(listed.len(), 200);
    assert!(!names(&listed).contains(&"One too many".to_string()));
}

#[tokio::test]
async fn another_tenant_s_device_is_refused_exactly_like_an_unknown_one() {
    let app = TestApp::spawn().await;
    let acme = app.api_tenant("Acme").await;
    let other = app.api_tenant("Other").await;
    let mine = app.api_device(acme, mfp("A-1", "Mine")).await;
    let theirs = app.api_device(other, mfp("B-1", "Theirs")).await;
    let nobody = theirs + 1000;
    let groups = format!("{ADMIN}/{acme}/groups");

    let (s1, foreign) = app
        .admin_post(&groups, json!({"name": "G1", "device_ids": [mine, theirs]}))
        .await;
    let (s2, unknown) = app
        .admin_post(&groups, json!({"name": "G1", "device_ids": [mine, nobody]}))
        .await;
    let group = app.api_group(acme, "G2", &[]).await;
    let (s3, patched) = app
        .admin_patch(
            &format!("{groups}/{group}"),
            json!({"device_ids": [theirs]}),
        )
        .await;

    assert_refused(s1, &foreign, &[("device_ids", "unknown_device")]);
    assert_refused(s2, &unknown, &[("device_ids", "unknown_device")]);
    let message = |body: &Value, id: i64| {
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .replace(&id.to_string(), "ID")
    };
    assert_eq!(message(&foreign, theirs), message(&unknown, nobody));
    assert!(
        !foreign.to_string().contains("B-1"),
        "nothing of the other tenant shows"
    );
    assert_refused(s3, &patched, &[("device_ids", "unknown_device")]);
    assert_eq!(names(&app.admin_list(&groups, "groups").await), ["G2"]);
    assert_eq!(app.groups_of_devices(acme).await, [(mine, Value::Null)]);
    assert_eq!(app.groups_of_devices(other).await, [(theirs, Value::Null)]);
}

#[tokio::test]
async fn a_device_already_in_another_group_is_refused_naming_the_device_and_the_group() {
    let (app, tenant) = acme().await;
    let d1 = app.api_device(tenant, mfp("D-1", "One")).await;
    let d2 = app.api_device(tenant, mfp("D-2", "Two")).await;
    let groups = format!("{ADMIN}/{tenant}/groups");
    let sales = app.api_group(tenant, "Sales", &[d1]).await;
    let support = app.api_group(tenant, "Support", &[d2]).await;

    let (s1, created) = app
        .admin_post(&groups, json!({"name": "Third", "device_ids": [d1]}))
        .await;
    let (s2, patched) = app
        .admin_patch(
            &format!("{groups}/{support}"),
            json!({"name": "Renamed", "device_ids": [d1, d2]}),
        )
        .await;
    let (s3, kept) = app
        .admin_patch(&format!("{groups}/{sales}"), json!({"device_ids": [d1]}))
        .await;

    assert_refused(s1, &created, &[("device_ids", "in_other_group")]);
    let message = created["error"]["details"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("D-1") && message.contains("\"Sales\""),
        "{message}"
    );
    assert_refused(s2, &patched, &[("device_ids", "in_other_group")]);
    assert_eq!(s3, 200, "a device may stay in its own group: {kept}");
    let listed = app.admin_list(&groups, "groups").await;
    assert_eq!(
        names(&listed),
        ["Sales", "Support"],
        "the refused rename did not happen"
    );
    assert_eq!(
        app.groups_of_devices(tenant).await,
        [(d1, json!("Sales")), (d2, json!("Support"))]
    );
}

#[tokio::test]
async fn deleting_a_group_of_another_tenant_is_not_found_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let acme = app.api_tenant("Acme").await;
    let other = app.api_tenant("Other").await;
    let theirs_device = app.api_device(other, mfp("B-1", "Theirs")).await;
    let theirs = app.api_group(other, "Theirs", &[theirs_device]).await;

    let (delete, _) = app
        .admin_delete(&format!("{ADMIN}/{acme}/groups/{theirs}"))
        .await;
    let (patch, _) = app
        .admin_patch(
            &format!("{ADMIN}/{acme}/groups/{theirs}"),
            json!({"name": "Mine"}),
        )
        .await;

    assert_eq!((delete, patch), (404, 404));
    let listed = app
        .admin_list(&format!("{ADMIN}/{other}/groups"), "groups")
        .await;
    assert_eq!(listed[0]["name"], "Theirs");
    assert_eq!(listed[0]["device_count"], 1);
}

// ---- tokens -----------------------------------------------------------------------------------

#[tokio::test]
async fn an_issued_ingest_token_submits_readings_until_it_is_revoked() {
    let (app, tenant) = acme().await;

    let (status, issued) = app
        .admin_post(&format!("{ADMIN}/{tenant}/ingest-tokens"), json!({}))
        .await;
    let token = issued["token"].as_str().unwrap().to_string();
    let (works, accepted) = app
        .post("/api/v1/ingest/readings", &token, &json!([]))
        .await;
    let listed = app
        .admin_list(&format!("{ADMIN}/{tenant}/tokens"), "tokens")
        .await;
    let (revoked, _) = app
        .admin_delete(&format!("{ADMIN}/{tenant}/tokens/{}", issued["id"]))
        .await;
    let (after, _) = app
        .post("/api/v1/ingest/readings", &token, &json!([]))
        .await;
    let (again, _) = app
        .admin_delete(&format!("{ADMIN}/{tenant}/tokens/{}", issued["id"]))
        .await;

    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["kind"], "ingest");
    assert_eq!(works, 200);
    assert_eq!(accepted["accepted"], 0);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["kind"], "ingest");
    assert_eq!(listed[0]["revoked_at"], Value::Null);
    assert!(
        !listed[0].to_string().contains(&token),
        "a listed token never shows itself"
    );
    assert!(listed[0].get("token").is_none());
    assert_eq!(revoked, 204);
    assert_eq!(after, 401);
    assert_eq!(again, 404, "a revoked token cannot be revoked twice");
    let listed = app
        .admin_list(&format!("{ADMIN}/{tenant}/tokens"), "tokens")
        .await;
    assert_eq!(listed[0]["revoked_at"], "2021-12-01T00:00:00Z");
}

#[tokio::test]
async fn a_read_token_acts_as_a_user_of_its_tenant_only() {
    let app = TestApp::spawn().await;
    let acme = app.api_tenant("Acme").await;
    let other = app.api_tenant("Other").await;
    app.api_user(acme, "sato").await;
    app.api_user(other, "suzuki").await;
    app.api_device(acme, mfp("A-1", "Mine")).await;
    app.api_device(other, mfp("B-1", "Theirs")).await;
    let api_tokens = format!("{ADMIN}/{acme}/api-tokens");

    let (status, issued) = app
        .admin_post(&api_tokens, json!({"username": "Sato"}))
        .await;
    let (s_other, other_user) = app
        .admin_post(&api_tokens, json!({"username": "suzuki"}))
        .await;
    let (s_none, nobody) = app
        .admin_post(&api_tokens, json!({"username": "nobody"}))
        .await;
    let token = issued["token"].as_str().unwrap();
    let (read, devices) = app.get("/api/v1/devices", token).await;
    let (ingest, _) = app.post("/api/v1/ingest/readings", token, &json!([])).await;

    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["username"], "sato");
    assert_refused(s_other, &other_user, &[("username", "unknown_user")]);
    assert_refused(s_none, &nobody, &[("username", "unknown_user")]);
    assert_eq!(
        other_user["error"]["details"][0]["message"], nobody["error"]["details"][0]["message"],
        "a user of another tenant is refused like an unknown one"
    );
    assert_eq!(read, 200);
    assert_eq!(names(devices["devices"].as_array().unwrap()), ["Mine"]);
    assert_eq!(ingest, 401, "a read token is no ingest token");
    let listed = app
        .admin_list(&format!("{ADMIN}/{acme}/tokens"), "tokens")
        .await;
    assert_eq!(listed.len(), 1, "the refused requests issued nothing");
    assert_eq!(
        (listed[0]["kind"].clone(), listed[0]["username"].clone()),
        (json!("read"), json!("sato"))
    );
}

#[tokio::test]
async fn a_token_of_another_tenant_cannot_be_revoked_through_this_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.api_tenant("Acme").await;
    let other = app.api_tenant("Other").await;
    let (_, issued) = app
        .admin_post(&format!("{ADMIN}/{other}/ingest-tokens"), json!({}))
        .await;

    let (status, _) = app
        .admin_delete(&format!("{ADMIN}/{acme}/tokens/{}", issued["id"]))
        .await;

    assert_eq!(status, 404);
    let (works, _) = app
        .post(
            "/api/v1/ingest/readings",
            issued["token"].as_str().unwrap(),
            &json!([]),
        )
        .await;
    assert_eq!(works, 200);
}

// ---- unknown serials and the audit log ----------------------------------------------------------

#[tokio::test]
async fn serials_that_reported_unregistered_are_listed_with_their_attempts() {
    let (app, tenant) = acme().await;
    let (_, issued) = app
        .admin_post(&format!("{ADMIN}/{tenant}/ingest-tokens"), json!({}))
        .await;
    let token = issued["token"].as_str().unwrap();
    let reading = json!({"serial": "GHOST-1", "read_at": "2021-11-30T12:00:00+09:00",
                         "counters": {"total1": 10}});
    for _ in 0..2 {
        let (status, _) = app.post("/api/v1/ingest/readings", token, &reading).await;
        assert_eq!(status, 422);
        app.clock.advance(1_000);
    }

    let (status, body) = app
        .admin_get(&format!("{ADMIN}/{tenant}/unknown-serials"))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"serials": [{"serial": "GHOST-1", "first_seen": "2021-12-01T00:00:00Z",
                            "last_seen": "2021-12-01T00:00:01Z", "attempts": 2}],
               "total": 1, "dropped": 0, "page": 1, "per_page": 100})
    );
}

#[tokio::test]
async fn every_operator_action_is_written_to_the_audit_log_without_secrets() {
    let (app, tenant) = acme().await;
    let user = app.api_user(tenant, "sato").await;
    let device = app.api_device(tenant, mfp("A-1", "Mine")).await;
    let group = app.api_group(tenant, "Sales", &[device]).await;
    app.admin_patch(
        &format!("{ADMIN}/{tenant}/groups/{group}"),
        json!({"name": "Sales 2"}),
    )
    .await;
    app.admin_delete(&format!("{ADMIN}/{tenant}/groups/{group}"))
        .await;
    let (_, ingest) = app
        .admin_post(&format!("{ADMIN}/{tenant}/ingest-tokens"), json!({}))
        .await;
    let (_, read) = app
        .admin_post(
            &format!("{ADMIN}/{tenant}/api-tokens"),
            json!({"username": "sato"}),
        )
        .await;
    app.admin_delete(&format!("{ADMIN}/{tenant}/tokens/{}", ingest["id"]))
        .await;
    app.admin_post(
        &format!("{ADMIN}/{tenant}/users/{user}/reset-password"),
        json!({"password": "fresh123"}),
    )
    .await;
    app.admin_post(&format!("{ADMIN}/{tenant}/users/{user}/unlock"), json!({}))
        .await;
    app.admin_delete(&format!("{ADMIN}/{tenant}/devices/{device}"))
        .await;
    app.admin_delete(&format!("{ADMIN}/{tenant}/users/{user}"))
        .await;
    // Refused requests are not actions.
    app.admin_post(ADMIN, json!({"name": "Acme"})).await;

    let entries = app.store.list_audit(Some(tenant), None, 100).await.unwrap();

    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "tenant_created",
            "user_created",
            "device_created",
            "group_created",
            "group_updated",
            "group_deleted",
            "token_issued",
            "token_issued",
            "token_revoked",
            "password_reset",
            "user_unlocked",
            "device_deleted",
            "user_deleted",
        ]
    );
    assert!(
        entries
            .iter()
            .all(|e| e.actor == "operator-api" && e.at == T0)
    );
    let all = serde_json::to_string(&entries).unwrap();
    for secret in [
        "secret1",
        "fresh123",
        ingest["token"].as_str().unwrap(),
        read["token"].as_str().unwrap(),
        "argon2",
    ] {
        assert!(!all.contains(secret), "{secret} is in the audit log");
    }
    let created: Value = serde_json::from_str(&entries.last().unwrap().detail).unwrap();
    assert_eq!(created["name"], "Acme");
    let one = app.store.list_audit(Some(tenant), None, 1).await.unwrap();
    assert_eq!(one[0].action, "user_deleted", "newest first");
    let later = app.store.list_audit(None, Some(T0 + 1), 10).await.unwrap();
    assert!(later.is_empty());
}

// ---- the command line ---------------------------------------------------------------------------

/// `meterport admin tenant create --name Acme` on a fresh database (asserted): the database,
/// the command's output and the tenant's id.
async fn acme_by_cli() -> (TestDb, String, String) {
    let db = TestDb::new().await;
    let (ok, tenant, err) = admin(&db.url, &["tenant", "create", "--name", "Acme"], "");
    assert!(ok, "{err}");
    let id = tenant.split('\t').next().unwrap().to_string();
    (db, tenant, id)
}

/// `meterport admin user create` of `name` in the tenant `t`, the password on standard input.
fn user_by_cli(url: &str, t: &str, name: &str, password: &str) -> (bool, String, String) {
    let args = [
        "user",
        "create",
        "--tenant",
        t,
        "--username",
        name,
        "--password-stdin",
    ];
    admin(url, &args, &format!("{password}\n"))
}

/// `meterport admin device create` in the tenant `t`: serial, name, product, type and
/// protocol, then `more` arguments.
fn device_by_cli(url: &str, t: &str, device: [&str; 5], more: &[&str]) -> (bool, String, String) {
    let [serial, name, product, device_type, protocol] = device;
    let mut args = vec![
        "device",
        "create",
        "--tenant",
        t,
        "--serial",
        serial,
        "--name",
        name,
        "--product",
        product,
        "--device-type",
        device_type,
        "--protocol",
        protocol,
    ];
    args.extend_from_slice(more);
    admin(url, &args, "")
}

#[tokio::test]
async fn the_admin_command_creates_a_tenant_a_user_and_a_device_and_lists_them() {
    let (db, tenant, tenant_id) = acme_by_cli().await;
    let (url, t) = (db.url.as_str(), tenant_id.as_str());
    let (ok, user, err) = user_by_cli(url, t, "Sato", "secret1");
    assert!(ok, "{err}");
    let (ok, device, err) = device_by_cli(
        url,
        t,
        ["LFP-1", "Plotter", "TX-4100", "lfp", "http"],
        &["--lfp-unit", "sqft"],
    );
    assert!(ok, "{err}");
    let (ok, token, err) = admin(
        url,
        &["token", "create", "--tenant", t, "--kind", "ingest"],
        "",
    );
    assert!(ok, "{err}");

    let (_, tenants, _) = admin(url, &["tenant", "list"], "");
    let (_, users, _) = admin(url, &["user", "list", "--tenant", t], "");
    let (_, devices_json, _) = admin(url, &["--json", "device", "list", "--tenant", t], "");
    let (_, audit, _) = admin(url, &["audit", "--tenant", t], "");

    assert_eq!(tenant, format!("{t}\tAcme\tAsia/Tokyo\t39\n"));
    assert_eq!(tenants, tenant);
    assert!(user.ends_with("\tsato\t-\tja\tok\n"), "{user:?}");
    assert_eq!(users, user);
    assert!(
        device.contains("\tLFP-1\tPlotter\tlfp\thttp\t-\t-\tunknown"),
        "{device:?}"
    );
    let listed: Value = serde_json::from_str(devices_json.trim()).unwrap();
    assert_eq!(listed["serial"], "LFP-1");
    assert_eq!(listed["lfp_unit"], "sqft");
    assert!(err.contains("cannot be shown again"), "{err}");
    assert!(token.split('\t').nth(1).unwrap().starts_with("mpi_"));
    let actions: Vec<&str> = audit
        .lines()
        .map(|l| l.split('\t').nth(3).unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "token_issued",
            "device_created",
            "user_created",
            "tenant_created"
        ]
    );
    assert!(audit.contains("operator-cli"));
    assert!(!audit.contains("secret1"));
    let store = Store::open(url).await.unwrap();
    let sato = store
        .user_by_username_any_tenant("sato")
        .await
        .unwrap()
        .unwrap();
    assert!(meterport_store::users::verify_password(
        "secret1",
        &sato.password_hash
    ));
    store.close().await;
}

#[tokio::test]
async fn the_admin_command_refuses_bad_input_with_every_rule_and_changes_nothing() {
    let (db, _, t) = acme_by_cli().await;
    let url = db.url.as_str();

    let (bad_zone, _, zone_err) = admin(
        url,
        &[
            "tenant",
            "create",
            "--name",
            "B",
            "--timezone",
            "Mars/Olympus",
        ],
        "",
    );
    let (bad_user, _, user_err) = user_by_cli(url, &t, "x", "short");
    let (no_password, _, no_password_err) = admin(
        url,
        &["user", "create", "--tenant", &t, "--username", "sato"],
        "",
    );
    let (bad_device, _, device_err) = device_by_cli(
        url,
        &t,
        ["M-1", "Copier", "P", "color_mfp", "http"],
        &["--lfp-unit", "a4"],
    );
    let (no_tenant, _, no_tenant_err) = admin(url, &["device", "list", "--tenant", "999"], "");

    assert!(!bad_zone && !bad_user && !no_password && !bad_device && !no_tenant);
    assert!(
        zone_err.contains("timezone: must be an IANA time zone name"),
        "{zone_err}"
    );
    assert!(
        user_err.contains("username: must be 3 to 64 characters"),
        "{user_err}"
    );
    assert!(
        user_err.contains("password: must be 6 to 512 half-width characters"),
        "{user_err}"
    );
    assert!(
        user_err.contains("password: must contain at least one digit"),
        "{user_err}"
    );
    assert!(
        no_password_err.contains("--password-stdin"),
        "{no_password_err}"
    );
    assert!(device_err.contains("lfp_unit:"), "{device_err}");
    assert!(no_tenant_err.contains("no such tenant"), "{no_tenant_err}");
    let (_, tenants, _) = admin(url, &["tenant", "list"], "");
    let (_, users, _) = admin(url, &["user", "list", "--tenant", &t], "");
    let (_, devices, _) = admin(url, &["device", "list", "--tenant", &t], "");
    assert_eq!(tenants.lines().count(), 1);
    assert_eq!((users.as_str(), devices.as_str()), ("", ""));
}

#[tokio::test]
async fn the_admin_command_manages_groups_and_tokens() {
    let (db, _, t) = acme_by_cli().await;
    let url = db.url.as_str();
    let mut ids = Vec::new();
    for serial in ["D-1", "D-2"] {
        let (ok, out, err) = device_by_cli(url, &t, [serial, serial, "P", "mono_lbp", "snmp"], &[]);
        assert!(ok, "{err}");
        ids.push(out.split('\t').next().unwrap().to_string());
    }
    let (ok, _, err) = user_by_cli(url, &t, "sato", "secret1");
    assert!(ok, "{err}");

    let (ok, group, err) = admin(
        url,
        &[
            "group",
            "create",
            "--tenant",
            &t,
            "--name",
            "Sales",
            "--device",
            &ids.join(","),
        ],
        "",
    );
    assert!(ok, "{err}");
    let g = group.split('\t').next().unwrap().to_string();
    let (taken, _, taken_err) = admin(
        url,
        &[
            "group", "create", "--tenant", &t, "--name", "Other", "--device", &ids[0],
        ],
        "",
    );
    let (ok_members, members, _) = admin(
        url,
        &[
            "group",
            "set-members",
            "--tenant",
            &t,
            &g,
            "--device",
            &ids[1],
        ],
        "",
    );
    let (ok_rename, renamed, _) = admin(
        url,
        &["group", "rename", "--tenant", &t, &g, "--name", "Sales 2"],
        "",
    );
    let (ok_read, read, _) = admin(
        url,
        &[
            "token",
            "create",
            "--tenant",
            &t,
            "--kind",
            "read",
            "--username",
            "sato",
        ],
        "",
    );
    let token_id = read.split('\t').next().unwrap().to_string();
    let (ok_revoke, _, _) = admin(url, &["token", "revoke", "--tenant", &t, &token_id], "");
    let (_, tokens, _) = admin(url, &["token", "list", "--tenant", &t], "");
    let (ok_delete, _, _) = admin(url, &["group", "delete", "--tenant", &t, &g], "");
    let (_, groups, _) = admin(url, &["group", "list", "--tenant", &t], "");

    assert_eq!(group, format!("{g}\tSales\t2\n"));
    assert!(!taken, "a device is in at most one group");
    assert!(
        taken_err.contains("is already in the group \"Sales\""),
        "{taken_err}"
    );
    assert!(ok_members && ok_rename && ok_read && ok_revoke && ok_delete);
    assert_eq!(members, format!("{g}\tSales\t1\n"));
    assert_eq!(renamed, format!("{g}\tSales 2\t1\n"));
    assert!(read.split('\t').nth(1).unwrap().starts_with("mpr_"));
    let token_line: Vec<&str> = tokens.trim_end().split('\t').collect();
    assert_eq!(&token_line[..3], [token_id.as_str(), "read", "sato"]);
    assert_ne!(token_line[4], "active");
    assert_eq!(groups, "");
}
