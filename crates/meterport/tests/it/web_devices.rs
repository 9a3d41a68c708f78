//! The device list (S7-S10), device information (S11) and toner/ink stock (S28, B1) through
//! HTTP, as a logged-in user with a cookie-keeping client, on SQLite or PostgreSQL
//! (`METERPORT_TEST_BACKEND`).

use crate::harness::web::{Browser, attrs, csrf, rows, texts};
use crate::harness::{T0, TestApp};
use meterport_store::tenants::Tenant;
use meterport_store::users::hash_password;
use serde_json::{Value, json};

const PASSWORD: &str = "secret123";

struct Web {
    app: TestApp,
    browser: Browser,
    tenant: Tenant,
    ingest: String,
}

impl Web {
    /// One GET: status and body, for the test to check.
    async fn get(&self, path: &str) -> (u16, String) {
        let page = self.browser.get(path).await;
        (page.status, page.html)
    }

    /// A GET that must answer 200: its body.
    async fn page(&self, path: &str) -> String {
        self.browser.get_ok(path).await.html
    }

    /// One form POST: status, body and redirect, for the test to check.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let page = self.browser.post(path, form).await;
        (page.status, page.html, page.location)
    }

    async fn login(&self, user: &str) {
        self.browser.login(user, PASSWORD).await;
    }

    async fn user(&self, tenant: &Tenant, name: &str, email: Option<&str>, lang: &str) -> i64 {
        self.app
            .store
            .create_user(tenant.id, name, &hash_password(PASSWORD), email, lang, T0)
            .await
            .unwrap()
            .id
    }

    async fn device(&self, json: Value) -> i64 {
        self.app.device(&self.tenant, json).await
    }

    async fn status(&self, body: Value) {
        let (status, answer) = self
            .app
            .post("/api/v1/ingest/status", &self.ingest, &body)
            .await;
        assert_eq!(status, 200, "{answer}");
    }
}

/// The ids of the device rows of a list, in order.
fn row_ids(html: &str) -> Vec<i64> {
    attrs(html, "tr[data-device-id]", "data-device-id")
        .iter()
        .map(|id| id.parse().unwrap())
        .collect()
}

/// The count shown on a status chip of the device list.
fn chip(html: &str, status: &str) -> String {
    let counts = texts(html, &format!("[data-status=\"{status}\"] .chip-count"));
    assert_eq!(counts.len(), 1, "one {status} chip in {html}");
    counts[0].clone()
}

/// The text of the element with this id.
fn text_of(html: &str, id: &str) -> String {
    texts(html, &format!("#{id}"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("an element #{id} in {html}"))
}

fn device_json(serial: &str, name: &str, kind: &str, extra: Value) -> Value {
    let mut d = json!({
        "serial": serial, "name": name, "product": "iR-ADV C5840",
        "device_type": kind, "protocol": "http",
    });
    if kind == "lfp" {
        d["lfp_unit"] = json!("m2");
    }
    for (k, v) in extra.as_object().unwrap() {
        d[k] = v.clone();
    }
    d
}

async fn setup() -> Web {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let ingest = app.ingest_token(&tenant).await;
    let browser = Browser::on(&app);
    let web = Web {
        app,
        browser,
        tenant,
        ingest,
    };
    web.user(
        &web.tenant.clone(),
        "yamada",
        Some("yamada@example.com"),
        "en",
    )
    .await;
    web.login("yamada").await;
    web
}

/// A small fleet: one device of each type and of each status, in groups and out.
struct Fleet {
    web: Web,
    /// by name: alpha (colour MFP, service call), bravo (mono MFP, error), charlie (mono
    /// LBP, warning), delta (colour LBP, normal), echo (LFP, never reported: unknown),
    /// foxtrot (mono MFP over SMTP, never reported: still normal).
    ids: std::collections::HashMap<&'static str, i64>,
    group_a: i64,
    group_b: i64,
}

async fn fleet() -> Fleet {
    let web = setup().await;
    let specs: [(&str, &str, &str, Value); 6] = [
        (
            "alpha",
            "SN-A",
            "color_mfp",
            json!({"building": "Tower", "location": "3F East", "remote_ui_url": "https://10.0.0.1/", "mac": "00-1a-2b-3c-4d-5e", "host": "printer-a.example.com"}),
        ),
        (
            "bravo",
            "SN-B",
            "mono_mfp",
            json!({"building": "Annex", "location": "1F Lobby", "product": "iR 2630"}),
        ),
        (
            "charlie",
            "SN-C",
            "mono_lbp",
            json!({"location": "2F", "product": "LBP224"}),
        ),
        (
            "delta",
            "SN-D",
            "color_lbp",
            json!({"building": "Tower", "product": "LBP852Ci", "remote_ui_url": "http://10.0.0.4:8000/"}),
        ),
        (
            "echo",
            "SN-E",
            "lfp",
            json!({"product": "imagePROGRAF TX-4100"}),
        ),
        (
            "foxtrot",
            "SN-F",
            "mono_mfp",
            json!({"protocol": "smtp", "building": "Annex"}),
        ),
    ];
    let mut ids = std::collections::HashMap::new();
    for (name, serial, kind, extra) in specs {
        ids.insert(
            name,
            web.device(device_json(serial, name, kind, extra)).await,
        );
    }
    let store = &web.app.store;
    let group_a = store
        .create_group(web.tenant.id, "Group A", &[ids["alpha"], ids["bravo"]], T0)
        .await
        .unwrap()
        .id;
    let group_b = store
        .create_group(web.tenant.id, "Group B", &[ids["charlie"]], T0)
        .await
        .unwrap()
        .id;
    let at = "2021-11-30T10:00:00+09:00";
    web.status(json!([
        {"serial": "SN-A", "at": at, "conditions": [
            {"code": "W-1", "severity": "warning", "message": "Toner low"},
            {"code": "E000-0001", "severity": "service_call", "message": "Fixing unit failure"}]},
        {"serial": "SN-B", "at": at, "conditions": [{"code": "jam", "severity": "error", "message": "Paper jam"}]},
        {"serial": "SN-C", "at": at, "conditions": [{"code": "toner", "severity": "warning"}]},
        {"serial": "SN-D", "at": at, "conditions": []},
    ]))
    .await;
    Fleet {
        web,
        ids,
        group_a,
        group_b,
    }
}

// ---- The device list (S7-S10)

#[tokio::test]
async fn the_list_shows_each_device_with_its_type_and_status_icon_and_every_column() {
    let f = fleet().await;

    let (status, html) = f.web.get("/devices").await;

    assert_eq!(status, 200);
    assert!(html.contains("<h1>Device list</h1>"));
    for heading in [
        "Device name",
        "Status",
        "Remote UI",
        "Product name",
        "Building",
        "Location",
        "Group",
    ] {
        assert!(html.contains(&format!(">{heading}")), "heading {heading}");
    }
    // Each type's picture with its status badge; the unknown device is drawn faded.
    assert!(html.contains("class=\"dev-icon st-service_call\""));
    assert!(
        html.contains("<use href=\"#dt-color_mfp\"></use><use href=\"#ds-service_call\"></use>")
    );
    assert!(html.contains("<use href=\"#dt-mono_mfp\"></use><use href=\"#ds-error\"></use>"));
    assert!(html.contains("<use href=\"#dt-mono_lbp\"></use><use href=\"#ds-warning\"></use>"));
    assert!(html.contains("<use href=\"#dt-color_lbp\"></use></svg>"));
    assert!(html.contains("class=\"dev-icon st-unknown\""));
    assert!(html.contains("<use href=\"#dt-lfp\"></use></svg>"));
    assert!(html.contains("aria-label=\"Colour MFP, Service call\""));
    // The Remote UI opens in a new tab, without giving the device's page our window.
    assert!(
        html.contains("href=\"https://10.0.0.1/\" target=\"_blank\" rel=\"noopener noreferrer\"")
    );
    assert!(html.contains("href=\"http://10.0.0.4:8000/\""));
    assert_eq!(
        html.matches("class=\"remote-ui\"").count(),
        2,
        "only devices with a Remote UI"
    );
    // Product, building, location and group of a row.
    let alpha = &html[html
        .find(&format!("data-device-id=\"{}\"", f.ids["alpha"]))
        .unwrap()..];
    let alpha = &alpha[..alpha.find("</tr>").unwrap()];
    for cell in [
        "iR-ADV C5840",
        "Tower",
        "3F East",
        "Group A",
        "Service call",
    ] {
        assert!(alpha.contains(cell), "{cell} in {alpha}");
    }
}

#[tokio::test]
async fn the_most_severe_condition_is_shown_and_an_smtp_device_is_always_normal() {
    let f = fleet().await;

    let html = f.web.page("/devices").await;

    let row = |name: &str| {
        let at = html
            .find(&format!("data-device-id=\"{}\"", f.ids[name]))
            .unwrap();
        let row = &html[at..];
        row[..row.find("</tr>").unwrap()].to_string()
    };
    assert!(
        row("alpha").contains("data-status=\"service_call\""),
        "service call beats warning"
    );
    assert!(
        row("echo").contains("data-status=\"unknown\""),
        "never reported"
    );
    assert!(
        row("foxtrot").contains("data-status=\"normal\""),
        "an SMTP device cannot send status, so it is normal even before its first mail"
    );
}

#[tokio::test]
async fn the_counts_by_status_cover_the_selection() {
    let f = fleet().await;

    let all = f.web.page("/devices").await;
    let group_a = f.web.page(&format!("/devices?group={}", f.group_a)).await;

    assert_eq!(
        [
            "all",
            "service_call",
            "error",
            "warning",
            "unknown",
            "normal"
        ]
        .map(|s| chip(&all, s)),
        ["6", "1", "1", "1", "1", "2"]
    );
    assert_eq!(
        ["all", "service_call", "error", "warning", "normal"].map(|s| chip(&group_a, s)),
        ["2", "1", "1", "0", "0"]
    );
}

#[tokio::test]
async fn a_status_count_filters_the_list_to_that_status() {
    let f = fleet().await;

    let html = f.web.page("/devices?status=normal").await;

    let mut ids = row_ids(&html);
    ids.sort();
    let mut expected = vec![f.ids["delta"], f.ids["foxtrot"]];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(
        chip(&html, "all"),
        "6",
        "the counts still cover every status"
    );
}

#[tokio::test]
async fn the_group_selector_shows_all_devices_those_in_no_group_or_one_group() {
    let f = fleet().await;
    let ids = |names: &[&str]| -> Vec<i64> {
        let mut v: Vec<i64> = names.iter().map(|n| f.ids[n]).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<i64>| {
        v.sort();
        v
    };

    let all = f.web.page("/devices?group=all").await;
    let none = f.web.page("/devices?group=none").await;
    let a = f.web.page(&format!("/devices?group={}", f.group_a)).await;
    let b = f.web.page(&format!("/devices?group={}", f.group_b)).await;

    assert_eq!(sorted(row_ids(&all)).len(), 6);
    assert_eq!(sorted(row_ids(&none)), ids(&["delta", "echo", "foxtrot"]));
    assert_eq!(sorted(row_ids(&a)), ids(&["alpha", "bravo"]));
    assert_eq!(sorted(row_ids(&b)), ids(&["charlie"]));
    assert!(a.contains(&format!(
        "<option value=\"{}\" selected>Group A</option>",
        f.group_a
    )));
    assert!(none.contains("<option value=\"none\" selected>Devices in no group</option>"));
}

#[tokio::test]
async fn another_tenant_s_group_in_the_url_shows_all_devices_and_none_of_its_own() {
    let f = fleet().await;
    let other = f.web.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = f
        .web
        .app
        .device(&other, device_json("SN-X", "theirs", "mono_mfp", json!({})))
        .await;
    let their_group = f
        .web
        .app
        .store
        .create_group(other.id, "Theirs", &[theirs], T0)
        .await
        .unwrap()
        .id;

    let (status, html) = f.web.get(&format!("/devices?group={their_group}")).await;

    assert_eq!(status, 200);
    assert!(html.contains("id=\"group-fallback\""));
    assert_eq!(row_ids(&html).len(), 6);
    assert!(!row_ids(&html).contains(&theirs));
    assert!(!html.contains("Theirs"));
}

#[tokio::test]
async fn the_text_filter_matches_name_serial_product_building_and_location_ignoring_case() {
    let f = fleet().await;
    let found = |html: &str| {
        let mut v = row_ids(html);
        v.sort();
        v
    };
    let of = |names: &[&str]| {
        let mut v: Vec<i64> = names.iter().map(|n| f.ids[n]).collect();
        v.sort();
        v
    };

    let by_name = f.web.page("/devices?q=ALPH").await;
    let by_serial = f.web.page("/devices?q=sn-c").await;
    let by_product = f.web.page("/devices?q=lbp852").await;
    let by_building = f.web.page("/devices?q=annex").await;
    let by_location = f.web.page("/devices?q=lobby").await;
    let with_group = f
        .web
        .page(&format!("/devices?q=annex&group={}", f.group_a))
        .await;
    let percent = f.web.page("/devices?q=%25").await;

    assert_eq!(found(&by_name), of(&["alpha"]));
    assert_eq!(found(&by_serial), of(&["charlie"]));
    assert_eq!(found(&by_product), of(&["delta"]));
    assert_eq!(found(&by_building), of(&["bravo", "foxtrot"]));
    assert_eq!(found(&by_location), of(&["bravo"]));
    assert_eq!(
        found(&with_group),
        of(&["bravo"]),
        "the filter and the group together"
    );
    assert!(
        found(&percent).is_empty(),
        "a % is a character to find, not a wildcard"
    );
    assert!(percent.contains("id=\"no-devices\""));
    assert_eq!(
        chip(&by_building, "all"),
        "2",
        "the counts follow the filter"
    );
    assert!(
        by_building.contains("value=\"annex\""),
        "the filter stays in its box"
    );
}

#[tokio::test]
async fn every_heading_sorts_the_list_both_ways() {
    let f = fleet().await;
    // Blank cells go last in both directions; ties go by name.
    let cases: [(&str, [&str; 6], [&str; 6]); 7] = [
        (
            "name",
            ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"],
            ["foxtrot", "echo", "delta", "charlie", "bravo", "alpha"],
        ),
        (
            // "imagePROGRAF" < "iR 2630" < "iR-ADV C5840" (alpha and foxtrot tie) < "LBP..."
            "product",
            ["echo", "bravo", "alpha", "foxtrot", "charlie", "delta"],
            ["delta", "charlie", "alpha", "foxtrot", "bravo", "echo"],
        ),
        (
            "building",
            ["bravo", "foxtrot", "alpha", "delta", "charlie", "echo"],
            ["alpha", "delta", "bravo", "foxtrot", "charlie", "echo"],
        ),
        (
            "location",
            ["bravo", "charlie", "alpha", "delta", "echo", "foxtrot"],
            ["alpha", "charlie", "bravo", "delta", "echo", "foxtrot"],
        ),
        (
            "group",
            ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"],
            ["charlie", "alpha", "bravo", "delta", "echo", "foxtrot"],
        ),
        (
            // Devices with a Remote UI first.
            "remote",
            ["alpha", "delta", "bravo", "charlie", "echo", "foxtrot"],
            ["bravo", "charlie", "echo", "foxtrot", "alpha", "delta"],
        ),
        (
            // By severity (Status::rank), not by the status's name: normal, unknown, warning,
            // error, service call.
            "status",
            ["delta", "foxtrot", "echo", "charlie", "bravo", "alpha"],
            ["alpha", "bravo", "charlie", "echo", "delta", "foxtrot"],
        ),
    ];
    for (sort, asc, desc) in cases {
        let up = f.web.page(&format!("/devices?sort={sort}&dir=asc")).await;
        let down = f.web.page(&format!("/devices?sort={sort}&dir=desc")).await;

        assert_eq!(row_ids(&up), asc.map(|n| f.ids[n]), "{sort} ascending");
        assert_eq!(row_ids(&down), desc.map(|n| f.ids[n]), "{sort} descending");
    }
}

#[tokio::test]
async fn the_status_heading_sorts_the_most_severe_first_on_the_first_click() {
    let f = fleet().await;

    let html = f.web.page("/devices").await;

    // The heading's link (`&` written `&#38;` in the HTML) asks for descending severity.
    assert!(html.contains("sort=status&#38;dir=desc"));
    assert!(
        html.contains("sort=name&#38;dir=desc"),
        "the current column reverses"
    );
    assert!(html.contains("aria-sort=\"ascending\""));
}

#[tokio::test]
async fn a_large_fleet_is_paged_a_hundred_devices_at_a_time() {
    let web = setup().await;
    for i in 0..250 {
        web.device(device_json(
            &format!("SN{i:04}"),
            &format!("dev {i:04}"),
            "mono_lbp",
            json!({}),
        ))
        .await;
    }

    let first = web.page("/devices").await;
    let third = web.page("/devices?page=3").await;
    let beyond = web.page("/devices?page=99").await;

    assert_eq!(row_ids(&first).len(), 100);
    assert_eq!(text_of(&first, "list-summary"), "1–100 of 250");
    assert!(first.contains("rel=\"next\""));
    assert_eq!(row_ids(&third).len(), 50);
    assert_eq!(text_of(&third, "list-summary"), "201–250 of 250");
    assert!(third.contains(">dev 0200<"), "sorted by name across pages");
    assert_eq!(
        row_ids(&beyond),
        row_ids(&third),
        "a page past the end shows the last"
    );
    assert!(first.contains("page=3"), "links to the other pages");
}

// ---- Device information (S11)

#[tokio::test]
async fn the_device_information_shows_every_field_and_the_open_conditions_since_when() {
    let f = fleet().await;
    let id = f.ids["alpha"];

    let (status, html) = f.web.get(&format!("/devices/{id}")).await;

    assert_eq!(status, 200);
    assert_eq!(text_of(&html, "device-name"), "alpha");
    assert_eq!(text_of(&html, "device-serial"), "SN-A");
    assert!(text_of(&html, "device-product").starts_with("iR-ADV C5840"));
    assert_eq!(text_of(&html, "device-mac"), "00:1A:2B:3C:4D:5E");
    assert_eq!(text_of(&html, "device-host"), "printer-a.example.com");
    assert_eq!(text_of(&html, "device-building"), "Tower");
    assert_eq!(text_of(&html, "device-location"), "3F East");
    // The status, then every open condition, most severe first, since when in the user's
    // zone (Asia/Tokyo: the report said 10:00 +09:00).
    assert!(html.contains("data-status=\"service_call\""));
    let conditions = &html[html.find("id=\"conditions\"").unwrap()..];
    let service = conditions.find("Fixing unit failure").unwrap();
    let warning = conditions.find("Toner low").unwrap();
    assert!(service < warning, "most severe first");
    assert!(conditions.contains("<code>E000-0001</code>"));
    assert!(conditions.contains("since <time class=\"since\">30 Nov 2021 10:00:00</time>"));
    assert!(
        html.contains("Asia/Tokyo"),
        "the page names the zone of its times"
    );
    // Group select with "None" and every group; the device's group chosen.
    assert!(html.contains("<option value=\"\">None</option>"));
    assert!(html.contains(&format!(
        "<option value=\"{}\" selected>Group A</option>",
        f.group_a
    )));
    assert!(html.contains(&format!("<option value=\"{}\">Group B</option>", f.group_b)));
    assert!(html.contains("id=\"device-remote-ui\""));
}

#[tokio::test]
async fn a_device_s_status_in_another_zone_shows_in_the_user_s_zone() {
    let f = fleet().await;
    let me = f
        .web
        .app
        .store
        .user_by_username_any_tenant("yamada")
        .await
        .unwrap()
        .unwrap();
    f.web
        .app
        .store
        .update_profile(
            f.web.tenant.id,
            me.id,
            "Taro",
            "Yamada",
            "en",
            "en-GB",
            Some("Europe/London"),
        )
        .await
        .unwrap();

    let html = f.web.page(&format!("/devices/{}", f.ids["bravo"])).await;

    assert!(
        html.contains("<time class=\"since\">30 Nov 2021 01:00:00</time>"),
        "10:00 JST is 01:00 in London, written the British way"
    );
}

#[tokio::test]
async fn the_latest_counters_and_the_last_reading_time_are_shown_with_dashes_for_the_rest() {
    let f = fleet().await;
    let readings = json!([
        {"serial": "SN-B", "read_at": "2021-11-29T09:00:00+09:00", "counters": {"total1": 1000, "mono": 1000}},
        {"serial": "SN-B", "read_at": "2021-11-30T09:30:00+09:00", "counters": {"total1": 178011, "mono": 178011, "copy": 455, "paper_a4": 12}},
    ]);
    let (status, body) = f
        .web
        .app
        .post("/api/v1/ingest/readings", &f.web.ingest, &readings)
        .await;
    assert_eq!(status, 200, "{body}");

    let html = f.web.page(&format!("/devices/{}", f.ids["bravo"])).await;
    let never = f.web.page(&format!("/devices/{}", f.ids["charlie"])).await;

    assert_eq!(
        texts(&html, "#device-last-reading time"),
        ["30 Nov 2021 09:30:00"]
    );
    let counters = &html[html.find("id=\"latest-counters\"").unwrap()..];
    let shown = rows(&html, "#latest-counters tbody tr");
    for row in [
        ["Total 1", "178,011"],
        ["Copy", "455"],
        ["A4", "12"],
        ["Colour", "-"],
    ] {
        assert!(
            shown.contains(&row.map(String::from).to_vec()),
            "{row:?} in {shown:?}"
        );
    }
    assert_eq!(
        text_of(&html, "paper-note"),
        "Total 1 includes the paper sizes that are not listed here. \
         Choose the listed sizes under Settings > Paper sizes."
    );
    assert!(counters.contains(
        "<a href=\"/settings/paper-sizes\">Choose the listed sizes under Settings &#62; Paper sizes.</a>"
    ));
    assert!(never.contains("This device has not sent any counters yet."));
    assert!(
        !never.contains("id=\"paper-note\""),
        "no counters, no note on them"
    );
}

#[tokio::test]
async fn saving_stores_the_group_and_the_toner_administrator_with_the_administrator_s_address() {
    let f = fleet().await;
    let id = f.ids["delta"];
    let tanaka = f
        .web
        .user(
            &f.web.tenant.clone(),
            "tanaka",
            Some("tanaka@example.com"),
            "ja",
        )
        .await;
    let page = f.web.page(&format!("/devices/{id}")).await;
    assert!(
        page.contains("tanaka – tanaka@example.com"),
        "the choice names the address"
    );

    let (status, _, location) = f
        .web
        .post(
            &format!("/devices/{id}"),
            &[
                ("csrf", &csrf(&page)),
                ("group", &f.group_b.to_string()),
                ("toner_admin", &tanaka.to_string()),
            ],
        )
        .await;

    assert_eq!(
        (status, location),
        (303, Some(format!("/devices/{id}?saved=1")))
    );
    let d = f.web.app.store.device(f.web.tenant.id, id).await.unwrap();
    assert_eq!(d.group.map(|g| g.0), Some(f.group_b));
    assert_eq!(d.toner_admin.map(|a| a.id), Some(tanaka));
    let html = f.web.page(&format!("/devices/{id}?saved=1")).await;
    assert!(html.contains("id=\"saved\""));
    assert_eq!(text_of(&html, "device-admin-email"), "tanaka@example.com");

    // And back to no group and no administrator.
    let (status, _, _) = f
        .web
        .post(
            &format!("/devices/{id}"),
            &[("csrf", &csrf(&html)), ("group", ""), ("toner_admin", "")],
        )
        .await;
    assert_eq!(status, 303);
    let d = f.web.app.store.device(f.web.tenant.id, id).await.unwrap();
    assert_eq!((d.group, d.toner_admin), (None, None));
}

#[tokio::test]
async fn another_tenant_s_group_or_user_is_refused_next_to_its_field_and_nothing_changes() {
    let f = fleet().await;
    let id = f.ids["alpha"];
    let other = f.web.app.tenant("Other", "Asia/Tokyo").await;
    let their_group = f
        .web
        .app
        .store
        .create_group(other.id, "Theirs", &[], T0)
        .await
        .unwrap()
        .id;
    let their_user = f
        .web
        .user(&other, "suzuki", Some("suzuki@other.example"), "ja")
        .await;
    let page = f.web.page(&format!("/devices/{id}")).await;

    let (status, html, _) = f
        .web
        .post(
            &format!("/devices/{id}"),
            &[
                ("csrf", &csrf(&page)),
                ("group", &their_group.to_string()),
                ("toner_admin", &their_user.to_string()),
            ],
        )
        .await;
    let (nonsense_status, nonsense, _) = f
        .web
        .post(
            &format!("/devices/{id}"),
            &[
                ("csrf", &csrf(&page)),
                ("group", "abc"),
                ("toner_admin", "999999"),
            ],
        )
        .await;

    assert_eq!((status, nonsense_status), (422, 422));
    assert!(html.contains("id=\"error-group\""), "next to the group");
    assert!(
        html.contains("id=\"error-toner_admin\""),
        "next to the administrator"
    );
    assert!(html.contains("This group does not exist"));
    assert!(
        !html.contains("suzuki"),
        "nothing of the other tenant is shown"
    );
    assert!(
        nonsense.contains("id=\"error-group\"") && nonsense.contains("id=\"error-toner_admin\"")
    );
    let d = f.web.app.store.device(f.web.tenant.id, id).await.unwrap();
    assert_eq!(d.group.map(|g| g.0), Some(f.group_a), "unchanged");
    assert_eq!(d.toner_admin, None);
}

#[tokio::test]
async fn another_tenant_s_device_is_not_found_for_reading_or_saving() {
    let f = fleet().await;
    let other = f.web.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = f
        .web
        .app
        .device(&other, device_json("SN-X", "theirs", "mono_mfp", json!({})))
        .await;
    let page = f.web.page("/devices").await;

    let (status, html) = f.web.get(&format!("/devices/{theirs}")).await;
    let (post_status, _, _) = f
        .web
        .post(
            &format!("/devices/{theirs}"),
            &[("csrf", &csrf(&page)), ("group", ""), ("toner_admin", "")],
        )
        .await;
    let (missing, _) = f.web.get("/devices/999999").await;
    let (garbage, _) = f.web.get("/devices/abc").await;

    assert_eq!(
        (status, post_status, missing, garbage),
        (404, 404, 404, 404)
    );
    assert!(!html.contains("theirs"));
    assert!(
        html.contains("<nav class=\"menu\"") && html.contains("action=\"/logout\""),
        "a logged-in user keeps the menu on the not-found page"
    );
    assert!(html.contains("id=\"error-body\""));
}

#[tokio::test]
async fn a_save_without_the_session_s_csrf_token_is_refused_and_changes_nothing() {
    let f = fleet().await;
    let id = f.ids["delta"];

    let (status, html, _) = f
        .web
        .post(
            &format!("/devices/{id}"),
            &[
                ("csrf", "forged"),
                ("group", &f.group_a.to_string()),
                ("toner_admin", ""),
            ],
        )
        .await;

    assert_eq!(status, 422);
    assert!(html.contains("The form had expired or came from elsewhere"));
    let d = f.web.app.store.device(f.web.tenant.id, id).await.unwrap();
    assert_eq!(d.group, None);
}

#[tokio::test]
async fn a_device_named_like_a_script_is_shown_as_text_on_every_screen() {
    let web = setup().await;
    let name = "<script>alert(1)</script>";
    let id = web
        .device(device_json(
            "SN-XSS",
            name,
            "color_mfp",
            json!({"location": "<b>x</b>"}),
        ))
        .await;
    web.status(json!({"serial": "SN-XSS", "at": "2021-11-30T10:00:00+09:00",
        "conditions": [{"code": "X", "severity": "error", "message": "<img src=x onerror=alert(1)>"}],
        "supplies": [{"name": "<i>ink</i>", "kind": "ink", "level_percent": 5}]}))
        .await;
    web.app
        .store
        .create_group(web.tenant.id, "G", &[], T0)
        .await
        .unwrap();

    for path in [
        "/devices".to_string(),
        format!("/devices/{id}"),
        "/supplies".to_string(),
        "/settings/groups/new".to_string(),
    ] {
        let (status, html) = web.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains(name), "{path} shows the raw name");
        assert!(!html.contains("<img src=x"), "{path}");
        assert!(!html.contains("<i>ink</i>"), "{path}");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path} escapes it"
        );
    }
}

#[tokio::test]
async fn pages_of_the_device_screens_need_a_login() {
    let web = setup().await;
    let anonymous = Browser::on(&web.app).client;

    for path in ["/devices", "/devices/1", "/supplies"] {
        let res = anonymous.get(web.app.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "{path}");
        assert!(
            res.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?next=")
        );
    }
}

// ---- Toner/ink stock (S28, B1)

#[tokio::test]
async fn supply_levels_from_a_status_report_are_shown_lowest_first_with_a_low_warning() {
    let f = fleet().await;
    f.web
        .status(json!([
            {"serial": "SN-D", "at": "2021-11-30T11:00:00+09:00", "conditions": [], "supplies": [
                {"name": "Black toner", "kind": "toner", "color": "black", "level_percent": 62},
                {"name": "Cyan toner", "kind": "toner", "color": "cyan", "level_percent": 8},
                {"name": "Drum", "kind": "drum", "level_percent": null}]},
            {"serial": "SN-C", "at": "2021-11-30T11:00:00+09:00", "conditions": [], "supplies": [
                {"name": "Toner", "kind": "toner", "color": "black", "level_percent": 3}]},
            {"serial": "SN-B", "at": "2021-11-30T11:00:00+09:00", "conditions": [], "supplies": [
                {"name": "Toner", "kind": "toner", "color": "black", "level_percent": 40}]},
        ]))
        .await;

    let html = f.web.page("/supplies").await;
    let info = f.web.page(&format!("/devices/{}", f.ids["delta"])).await;
    let group_b = f.web.page(&format!("/supplies?group={}", f.group_b)).await;

    assert_eq!(
        row_ids(&html),
        [f.ids["charlie"], f.ids["delta"], f.ids["bravo"]],
        "the device with the lowest level first"
    );
    assert!(html.contains("3 devices report their supply levels."));
    assert!(html.contains("2 supplies at 10% or less, on 2 devices."));
    assert!(html.contains(
        "<rect class=\"fill sc-cyan\" x=\"0\" y=\"0\" width=\"8\" height=\"10\"></rect>"
    ));
    assert!(html.contains("<span class=\"supply low\">"));
    assert!(
        html.contains("level unknown"),
        "a level the device cannot tell"
    );
    assert!(html.contains("3 devices do not report their toner, ink or other supply levels"));
    assert!(info.contains("Cyan toner") && info.contains(">8%<"));
    assert!(info.contains("Levels as reported at <time>30 Nov 2021 11:00:00</time>"));
    assert_eq!(row_ids(&group_b), [f.ids["charlie"]], "filtered by group");
}

#[tokio::test]
async fn without_any_supply_report_the_screens_say_that_no_levels_are_reported() {
    let f = fleet().await;

    let html = f.web.page("/supplies").await;
    let info = f.web.page(&format!("/devices/{}", f.ids["alpha"])).await;

    assert!(html.contains("id=\"no-supply-reports\""));
    assert!(html.contains("None of these devices reports its supply levels."));
    assert!(row_ids(&html).is_empty());
    assert!(info.contains("id=\"no-supplies\""));
    assert!(info.contains("This device does not report its toner, ink or other supply levels."));
}

#[tokio::test]
async fn a_report_without_supplies_keeps_them_a_newer_list_replaces_them_and_an_older_one_is_ignored()
 {
    let f = fleet().await;
    let report = |at: &str, supplies: Option<Value>| {
        let mut r = json!({"serial": "SN-D", "at": at, "conditions": []});
        if let Some(s) = supplies {
            r["supplies"] = s;
        }
        r
    };
    f.web
        .status(report(
            "2021-11-30T11:00:00+09:00",
            Some(json!([{"name": "Old toner", "kind": "toner", "level_percent": 50}])),
        ))
        .await;
    f.web
        .status(report("2021-11-30T12:00:00+09:00", None))
        .await;
    let kept = f.web.page(&format!("/devices/{}", f.ids["delta"])).await;
    f.web
        .status(report(
            "2021-11-30T13:00:00+09:00",
            Some(json!([{"name": "New toner", "kind": "toner", "level_percent": 90}])),
        ))
        .await;
    f.web
        .status(report(
            "2021-11-30T12:30:00+09:00",
            Some(json!([{"name": "Late toner", "kind": "toner", "level_percent": 1}])),
        ))
        .await;

    let html = f.web.page(&format!("/devices/{}", f.ids["delta"])).await;

    assert!(
        kept.contains("Old toner"),
        "a report that says nothing about supplies keeps them"
    );
    assert!(
        html.contains("New toner") && !html.contains("Old toner"),
        "replaced"
    );
    assert!(!html.contains("Late toner"), "an older report is ignored");
}

#[tokio::test]
async fn an_invalid_supply_is_refused_naming_each_field_and_nothing_is_stored() {
    let f = fleet().await;
    let body = json!({"serial": "SN-D", "at": "2021-11-30T11:00:00+09:00", "conditions": [],
        "supplies": [{"name": "", "kind": "paper", "color": "beige", "level_percent": 101}]});

    let (status, answer) = f
        .web
        .app
        .post("/api/v1/ingest/status", &f.web.ingest, &body)
        .await;

    assert_eq!(status, 422, "{answer}");
    let fields: Vec<&str> = answer["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "supplies[0].name",
            "supplies[0].kind",
            "supplies[0].color",
            "supplies[0].level_percent"
        ]
    );
    assert!(
        f.web
            .app
            .store
            .device_supplies(f.web.tenant.id, f.ids["delta"])
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_device_screens_are_in_japanese_for_a_japanese_user() {
    let f = fleet().await;
    f.web.user(&f.web.tenant.clone(), "sato", None, "ja").await;
    let web = Web {
        browser: Browser::on(&f.web.app),
        ..f.web
    };
    web.login("sato").await;

    let list = web.page("/devices").await;
    let info = web.page(&format!("/devices/{}", f.ids["alpha"])).await;
    let supplies = web.page("/supplies").await;

    for word in [
        "デバイスリスト",
        "すべてのデバイス",
        "グループ未登録デバイス",
        "製品名",
        "ビル名",
        "デバイス設置場所",
        "リモートUI",
        "サービスコール",
    ] {
        assert!(list.contains(word), "{word}");
    }
    for word in [
        "MACアドレス",
        "IPアドレス/ホスト名",
        "トナー/インク管理者",
        "指定なし",
        "発生日時",
    ] {
        assert!(info.contains(word), "{word}");
    }
    assert!(supplies.contains("いずれも消耗品の残量を報告していません"));
}
