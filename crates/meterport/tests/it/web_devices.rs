//! The device list (S7-S10), device information (S11) and toner/ink stock (S28, B1) through
//! HTTP, as a logged-in user with a cookie-keeping client, on SQLite or PostgreSQL
//! (`METERPORT_TEST_BACKEND`).

use crate::harness::web::{
    Browser, Customer, assert_absent, attr, attrs, count, error_fields, error_notice, field_error,
    links, options, rows, selected, text, texts, value,
};
use crate::harness::{PASSWORD, TestApp, refused_fields};
use meterport_store::tenants::Tenant;
use meterport_store::users::User;
use serde_json::{Value, json};

/// The logged-in customer (`yamada`, English) and the tenant's ingest token.
struct Web {
    app: TestApp,
    tenant: Tenant,
    user: User,
    browser: Browser,
    ingest: String,
}

impl Web {
    async fn device(&self, json: Value) -> i64 {
        self.app.device(&self.tenant, json).await
    }

    async fn status(&self, body: Value) {
        self.app.ingest_ok("status", &self.ingest, &body).await;
    }
}

/// The ids of the device rows of a list, in order.
fn row_ids(html: &str) -> Vec<i64> {
    attrs(html, "tr[data-device-id]", "data-device-id")
        .iter()
        .map(|id| id.parse().unwrap())
        .collect()
}

/// The same, sorted: the devices a list shows, whatever its order.
fn sorted_ids(html: &str) -> Vec<i64> {
    let mut ids = row_ids(html);
    ids.sort();
    ids
}

/// The selector of the list row of the device `id`.
fn row_css(id: i64) -> String {
    format!("tr[data-device-id=\"{id}\"]")
}

/// The cells of the list row of the device `id`.
fn row_of(html: &str, id: i64) -> Vec<String> {
    let mut found = rows(html, &row_css(id));
    assert_eq!(found.len(), 1, "one row of device {id}");
    found.remove(0)
}

/// The count shown on a status chip of the device list.
fn chip(html: &str, status: &str) -> String {
    text(html, &format!("[data-status=\"{status}\"] .chip-count"))
}

/// The supplies shown under `css`, each as its name (with its kind) and its level.
fn supplies(html: &str, css: &str) -> Vec<(String, String)> {
    let names = texts(html, &format!("{css} .supply > .supply-name"));
    let levels = texts(html, &format!("{css} .supply .pct"));
    assert_eq!(names.len(), levels.len(), "a level for every supply");
    names.into_iter().zip(levels).collect()
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
    let Customer {
        app,
        tenant,
        user,
        browser,
    } = Customer::new("en").await;
    let ingest = app.ingest_token(&tenant).await;
    Web {
        app,
        tenant,
        user,
        browser,
        ingest,
    }
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
    let group_a = web
        .app
        .group(&web.tenant, "Group A", &[ids["alpha"], ids["bravo"]])
        .await;
    let group_b = web
        .app
        .group(&web.tenant, "Group B", &[ids["charlie"]])
        .await;
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

impl Fleet {
    /// The HTML of a page of the fleet's user (200).
    async fn page(&self, path: &str) -> String {
        self.web.browser.html(path).await
    }

    /// The ids of the named devices, sorted.
    fn ids_of(&self, names: &[&str]) -> Vec<i64> {
        let mut ids: Vec<i64> = names.iter().map(|n| self.ids[n]).collect();
        ids.sort();
        ids
    }

    /// A device of another tenant, "theirs", and that tenant.
    async fn theirs(&self) -> (Tenant, i64) {
        let other = self.web.app.tenant("Other", "Asia/Tokyo").await;
        let theirs = self
            .web
            .app
            .device(&other, device_json("SN-X", "theirs", "mono_mfp", json!({})))
            .await;
        (other, theirs)
    }

    /// Posts the device form of `id` with the session's CSRF token.
    async fn save(
        &self,
        id: i64,
        group: &str,
        admin: &str,
        status: u16,
    ) -> crate::harness::web::Page {
        self.web
            .browser
            .submit(
                &format!("/devices/{id}"),
                &format!("/devices/{id}"),
                &[("group", group), ("toner_admin", admin)],
                status,
            )
            .await
    }
}

// ---- The device list (S7-S10)

#[tokio::test]
async fn the_list_shows_each_device_with_its_type_and_status_icon_and_every_column() {
    let f = fleet().await;

    let html = f.page("/devices").await;

    assert_eq!(text(&html, "main h1"), "Device list");
    assert_eq!(
        texts(&html, "#device-list thead th"),
        [
            "Device name ▲",
            "Status",
            "Remote UI",
            "Product name",
            "Building",
            "Location",
            "Group",
            "Last report"
        ]
    );
    // Each type's picture with its status badge; the unknown device is drawn faded.
    for (name, class, uses, label) in [
        (
            "alpha",
            "dev-icon st-service_call",
            &["#dt-color_mfp", "#ds-service_call"][..],
            "Colour MFP, Service call",
        ),
        (
            "bravo",
            "dev-icon st-error",
            &["#dt-mono_mfp", "#ds-error"],
            "Mono MFP, Error",
        ),
        (
            "charlie",
            "dev-icon st-warning",
            &["#dt-mono_lbp", "#ds-warning"],
            "Mono LBP, Warning",
        ),
        (
            "delta",
            "dev-icon st-normal",
            &["#dt-color_lbp"],
            "Colour LBP, Normal",
        ),
        (
            "echo",
            "dev-icon st-unknown",
            &["#dt-lfp"],
            "LFP (large format), Unknown",
        ),
    ] {
        let icon = format!("{} svg.dev-icon", row_css(f.ids[name]));
        assert_eq!(attr(&html, &icon, "class"), class, "{name}");
        assert_eq!(attrs(&html, &format!("{icon} use"), "href"), uses, "{name}");
        assert_eq!(attr(&html, &icon, "aria-label"), label, "{name}");
    }
    // The Remote UI opens in a new tab, without giving the device's page our window; only
    // devices with a Remote UI have the link.
    assert_eq!(
        attrs(&html, "#device-list a.remote-ui", "href"),
        ["https://10.0.0.1/", "http://10.0.0.4:8000/"]
    );
    let alpha_ui = format!("{} a.remote-ui", row_css(f.ids["alpha"]));
    assert_eq!(attr(&html, &alpha_ui, "target"), "_blank");
    assert_eq!(attr(&html, &alpha_ui, "rel"), "noopener noreferrer");
    // Status, product, building, location, group and last report of a row.
    let alpha = row_of(&html, f.ids["alpha"]);
    assert_eq!(alpha[1], "Service call");
    assert_eq!(
        alpha[3..],
        [
            "iR-ADV C5840",
            "Tower",
            "3F East",
            "Group A",
            "1 Dec 2021 09:00:00"
        ]
    );
}

#[tokio::test]
async fn the_most_severe_condition_is_shown_and_an_smtp_device_is_always_normal() {
    let f = fleet().await;

    let html = f.page("/devices").await;

    let status = |name: &str| {
        attr(
            &html,
            &format!("{} .status-tag", row_css(f.ids[name])),
            "data-status",
        )
    };
    assert_eq!(
        status("alpha"),
        "service_call",
        "service call beats warning"
    );
    assert_eq!(status("echo"), "unknown", "never reported");
    assert_eq!(
        status("foxtrot"),
        "normal",
        "an SMTP device cannot send status, so it is normal even before its first mail"
    );
}

#[tokio::test]
async fn the_counts_by_status_cover_the_selection() {
    let f = fleet().await;

    let all = f.page("/devices").await;
    let group_a = f.page(&format!("/devices?group={}", f.group_a)).await;

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

    let html = f.page("/devices?status=normal").await;

    assert_eq!(sorted_ids(&html), f.ids_of(&["delta", "foxtrot"]));
    assert_eq!(
        chip(&html, "all"),
        "6",
        "the counts still cover every status"
    );
}

#[tokio::test]
async fn the_group_selector_shows_all_devices_those_in_no_group_or_one_group() {
    let f = fleet().await;

    let all = f.page("/devices?group=all").await;
    let none = f.page("/devices?group=none").await;
    let a = f.page(&format!("/devices?group={}", f.group_a)).await;
    let b = f.page(&format!("/devices?group={}", f.group_b)).await;

    assert_eq!(row_ids(&all).len(), 6);
    assert_eq!(sorted_ids(&none), f.ids_of(&["delta", "echo", "foxtrot"]));
    assert_eq!(sorted_ids(&a), f.ids_of(&["alpha", "bravo"]));
    assert_eq!(sorted_ids(&b), f.ids_of(&["charlie"]));
    assert_eq!(
        selected(&a, "#group"),
        (f.group_a.to_string(), "Group A".to_string())
    );
    assert_eq!(
        selected(&none, "#group"),
        ("none".to_string(), "Devices in no group".to_string())
    );
}

#[tokio::test]
async fn another_tenant_s_group_in_the_url_shows_all_devices_and_none_of_its_own() {
    let f = fleet().await;
    let (other, theirs) = f.theirs().await;
    let their_group = f.web.app.group(&other, "Theirs", &[theirs]).await;

    let html = f.page(&format!("/devices?group={their_group}")).await;

    assert_eq!(
        text(&html, "#group-fallback"),
        "The chosen group does not exist (it may have been deleted). All devices are shown."
    );
    assert_eq!(row_ids(&html).len(), 6);
    assert!(!row_ids(&html).contains(&theirs));
    assert_absent(&html, "Theirs");
}

#[tokio::test]
async fn the_text_filter_matches_name_serial_product_building_and_location_ignoring_case() {
    let f = fleet().await;

    let by_name = f.page("/devices?q=ALPH").await;
    let by_serial = f.page("/devices?q=sn-c").await;
    let by_product = f.page("/devices?q=lbp852").await;
    let by_building = f.page("/devices?q=annex").await;
    let by_location = f.page("/devices?q=lobby").await;
    let with_group = f
        .page(&format!("/devices?q=annex&group={}", f.group_a))
        .await;
    let percent = f.page("/devices?q=%25").await;

    assert_eq!(sorted_ids(&by_name), f.ids_of(&["alpha"]));
    assert_eq!(sorted_ids(&by_serial), f.ids_of(&["charlie"]));
    assert_eq!(sorted_ids(&by_product), f.ids_of(&["delta"]));
    assert_eq!(sorted_ids(&by_building), f.ids_of(&["bravo", "foxtrot"]));
    assert_eq!(sorted_ids(&by_location), f.ids_of(&["bravo"]));
    assert_eq!(
        sorted_ids(&with_group),
        f.ids_of(&["bravo"]),
        "the filter and the group together"
    );
    assert!(
        row_ids(&percent).is_empty(),
        "a % is a character to find, not a wildcard"
    );
    assert_eq!(
        text(&percent, "#no-devices"),
        "No device matches these conditions. Change the group, the filter or the status, or clear the conditions."
    );
    assert_eq!(
        chip(&by_building, "all"),
        "2",
        "the counts follow the filter"
    );
    assert_eq!(
        value(&by_building, "q"),
        "annex",
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
        let up = f.page(&format!("/devices?sort={sort}&dir=asc")).await;
        let down = f.page(&format!("/devices?sort={sort}&dir=desc")).await;

        assert_eq!(row_ids(&up), asc.map(|n| f.ids[n]), "{sort} ascending");
        assert_eq!(row_ids(&down), desc.map(|n| f.ids[n]), "{sort} descending");
    }
}

#[tokio::test]
async fn the_status_heading_sorts_the_most_severe_first_on_the_first_click() {
    let f = fleet().await;

    let html = f.page("/devices").await;

    let heading = |label: &str| {
        links(&html, "#device-list thead a")
            .into_iter()
            .find(|(text, _)| text == label)
            .unwrap_or_else(|| panic!("a heading {label}"))
            .1
    };
    assert!(
        heading("Status").ends_with("sort=status&dir=desc"),
        "{}",
        heading("Status")
    );
    assert!(
        heading("Device name ▲").ends_with("sort=name&dir=desc"),
        "the current column reverses: {}",
        heading("Device name ▲")
    );
    assert_eq!(
        texts(&html, "#device-list th[aria-sort=\"ascending\"]"),
        ["Device name ▲"]
    );
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

    let first = web.browser.html("/devices").await;
    let third = web.browser.html("/devices?page=3").await;
    let beyond = web.browser.html("/devices?page=99").await;

    assert_eq!(row_ids(&first).len(), 100);
    assert_eq!(text(&first, "#list-summary"), "1–100 of 250");
    assert_eq!(count(&first, "#pager a[rel=\"next\"]"), 1);
    assert_eq!(row_ids(&third).len(), 50);
    assert_eq!(text(&third, "#list-summary"), "201–250 of 250");
    assert_eq!(
        texts(&third, "#device-list td.name span")[0],
        "dev 0200",
        "sorted by name across pages"
    );
    assert_eq!(
        row_ids(&beyond),
        row_ids(&third),
        "a page past the end shows the last"
    );
    let to_third = attr(&first, "#pager a[href*=\"page=3\"]", "href");
    assert_eq!(
        row_ids(&web.browser.html(&to_third).await),
        row_ids(&third),
        "links to the other pages"
    );
}

// ---- Device information (S11)

#[tokio::test]
async fn the_device_information_shows_every_field_and_the_open_conditions_since_when() {
    let f = fleet().await;
    let id = f.ids["alpha"];

    let html = f.page(&format!("/devices/{id}")).await;

    assert_eq!(text(&html, "#device-name"), "alpha");
    assert_eq!(text(&html, "#device-serial"), "SN-A");
    assert_eq!(text(&html, "#device-product"), "iR-ADV C5840 (Colour MFP)");
    assert_eq!(text(&html, "#device-mac"), "00:1A:2B:3C:4D:5E");
    assert_eq!(text(&html, "#device-host"), "printer-a.example.com");
    assert_eq!(text(&html, "#device-building"), "Tower");
    assert_eq!(text(&html, "#device-location"), "3F East");
    // The status, then every open condition, most severe first, since when in the user's
    // zone (Asia/Tokyo: the report said 10:00 +09:00).
    assert_eq!(
        attr(&html, "#device-status > .status-tag", "data-status"),
        "service_call"
    );
    assert_eq!(
        texts(&html, "#conditions .message"),
        ["Fixing unit failure", "Toner low"],
        "most severe first"
    );
    assert_eq!(texts(&html, "#conditions code"), ["E000-0001", "W-1"]);
    assert_eq!(
        texts(&html, "#conditions .meta")[0],
        "Code: E000-0001 · since 30 Nov 2021 10:00:00"
    );
    assert_eq!(
        text(&html, "section.device-info > p.hint"),
        "Times are shown in the time zone Asia/Tokyo (see User information).",
        "the page names the zone of its times"
    );
    // Group select with "None" and every group; the device's group chosen.
    assert_eq!(
        options(&html, "#group"),
        [
            (String::new(), "None".to_string(), false),
            (f.group_a.to_string(), "Group A".to_string(), true),
            (f.group_b.to_string(), "Group B".to_string(), false),
        ]
    );
    assert_eq!(
        attr(&html, "#device-remote-ui", "href"),
        "https://10.0.0.1/"
    );
}

#[tokio::test]
async fn a_device_s_status_in_another_zone_shows_in_the_user_s_zone() {
    let f = fleet().await;
    let me = &f.web.user;
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

    let html = f.page(&format!("/devices/{}", f.ids["bravo"])).await;

    assert_eq!(
        texts(&html, "#conditions time.since"),
        ["30 Nov 2021 01:00:00"],
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
    f.web
        .app
        .ingest_ok("readings", &f.web.ingest, &readings)
        .await;

    let html = f.page(&format!("/devices/{}", f.ids["bravo"])).await;
    let never = f.page(&format!("/devices/{}", f.ids["charlie"])).await;

    assert_eq!(
        texts(&html, "#device-last-reading time"),
        ["30 Nov 2021 09:30:00"]
    );
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
        text(&html, "#paper-note"),
        "Total 1 includes the paper sizes that are not listed here. \
         Choose the listed sizes under Settings > Paper sizes."
    );
    assert_eq!(
        links(&html, "#paper-note a"),
        [(
            "Choose the listed sizes under Settings > Paper sizes.".to_string(),
            "/settings/paper-sizes".to_string()
        )]
    );
    assert_eq!(
        text(&never, "#latest-counters p.hint"),
        "This device has not sent any counters yet."
    );
    assert_eq!(
        count(&never, "#paper-note"),
        0,
        "no counters, no note on them"
    );
}

#[tokio::test]
async fn saving_stores_the_group_and_the_toner_administrator_with_the_administrator_s_address() {
    let f = fleet().await;
    let id = f.ids["delta"];
    let tanaka = f
        .web
        .app
        .user(&f.web.tenant, "tanaka", Some("tanaka@example.com"), "ja")
        .await
        .id;
    let page = f.page(&format!("/devices/{id}")).await;
    assert!(
        options(&page, "#toner_admin").contains(&(
            tanaka.to_string(),
            "tanaka – tanaka@example.com".to_string(),
            false
        )),
        "the choice names the address"
    );

    let saved = f
        .save(id, &f.group_b.to_string(), &tanaka.to_string(), 303)
        .await;

    assert_eq!(saved.location, Some(format!("/devices/{id}?saved=1")));
    let d = f.web.app.store.device(f.web.tenant.id, id).await.unwrap();
    assert_eq!(d.group.map(|g| g.0), Some(f.group_b));
    assert_eq!(d.toner_admin.map(|a| a.id), Some(tanaka));
    let html = f.page(&format!("/devices/{id}?saved=1")).await;
    assert_eq!(count(&html, "#saved"), 1);
    assert_eq!(selected(&html, "#group").0, f.group_b.to_string());
    assert_eq!(selected(&html, "#toner_admin").0, tanaka.to_string());
    assert_eq!(text(&html, "#device-admin-email"), "tanaka@example.com");

    // And back to no group and no administrator.
    f.save(id, "", "", 303).await;
    let d = f.web.app.store.device(f.web.tenant.id, id).await.unwrap();
    assert_eq!((d.group, d.toner_admin), (None, None));
}

#[tokio::test]
async fn another_tenant_s_group_or_user_is_refused_next_to_its_field_and_nothing_changes() {
    let f = fleet().await;
    let id = f.ids["alpha"];
    let other = f.web.app.tenant("Other", "Asia/Tokyo").await;
    let their_group = f.web.app.group(&other, "Theirs", &[]).await;
    let their_user = f
        .web
        .app
        .user(&other, "suzuki", Some("suzuki@other.example"), "ja")
        .await
        .id;

    let theirs = f
        .save(id, &their_group.to_string(), &their_user.to_string(), 422)
        .await;
    let nonsense = f.save(id, "abc", "999999", 422).await;

    for html in [&theirs.html, &nonsense.html] {
        assert_eq!(
            error_fields(html),
            ["group", "toner_admin"],
            "next to the group and to the administrator"
        );
        assert_eq!(
            field_error(html, "group"),
            "This group does not exist (it may have been deleted). Choose a group from the list, or None."
        );
        assert_eq!(
            field_error(html, "toner_admin"),
            "This user does not exist (the account may have been deleted). Choose a user from the list, or None."
        );
    }
    assert_absent(&theirs.html, "suzuki");
    let d = f.web.app.store.device(f.web.tenant.id, id).await.unwrap();
    assert_eq!(d.group.map(|g| g.0), Some(f.group_a), "unchanged");
    assert_eq!(d.toner_admin, None);
}

#[tokio::test]
async fn another_tenant_s_device_is_not_found_for_reading_or_saving() {
    let f = fleet().await;
    let (_, theirs) = f.theirs().await;
    let token = f.web.browser.session_csrf().await;

    let page = f.web.browser.get(&format!("/devices/{theirs}")).await;
    let saved = f
        .web
        .browser
        .post(
            &format!("/devices/{theirs}"),
            &[("csrf", &token), ("group", ""), ("toner_admin", "")],
        )
        .await;
    let missing = f.web.browser.get("/devices/999999").await;
    let garbage = f.web.browser.get("/devices/abc").await;

    assert_eq!(
        [page.status, saved.status, missing.status, garbage.status],
        [404; 4]
    );
    assert_absent(&page.html, "theirs");
    assert_eq!(
        (
            count(&page.html, "nav.menu"),
            count(&page.html, "form[action=\"/logout\"]")
        ),
        (1, 1),
        "a logged-in user keeps the menu on the not-found page"
    );
    assert_eq!(
        text(&page.html, "#error-body"),
        "This page does not exist or is not available to your account."
    );
}

#[tokio::test]
async fn a_save_without_the_session_s_csrf_token_is_refused_and_changes_nothing() {
    let f = fleet().await;
    let id = f.ids["delta"];

    let refused = f
        .web
        .browser
        .post_expect(
            &format!("/devices/{id}"),
            &[
                ("csrf", "forged"),
                ("group", &f.group_a.to_string()),
                ("toner_admin", ""),
            ],
            422,
        )
        .await;

    assert_eq!(
        error_notice(&refused.html),
        "The form had expired or came from elsewhere. Please try again."
    );
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
    web.app.group(&web.tenant, "G", &[]).await;

    // Where each screen shows the name.
    for (path, css) in [
        ("/devices".to_string(), "#device-list td.name span"),
        (format!("/devices/{id}"), "#device-name"),
        ("/supplies".to_string(), "#supply-list td:first-child a"),
        ("/settings/groups/new".to_string(), "#devices tbody label"),
    ] {
        let html = web.browser.html(&path).await;
        assert_eq!(texts(&html, css), [name], "{path} shows the name as text");
        assert_absent(&html, name);
        assert_absent(&html, "<img src=x");
        assert_absent(&html, "<i>ink</i>");
        assert_absent(&html, "<b>x</b>");
    }
    let info = web.browser.html(&format!("/devices/{id}")).await;
    assert_eq!(texts(&info, "#device-location"), ["<b>x</b>"]);
    assert_eq!(
        texts(&info, "#conditions .message"),
        ["<img src=x onerror=alert(1)>"]
    );
    assert_eq!(
        supplies(&info, "#device-supplies"),
        [("<i>ink</i> ink".to_string(), "5%".to_string())]
    );
}

#[tokio::test]
async fn pages_of_the_device_screens_need_a_login() {
    let web = setup().await;
    let anonymous = Browser::on(&web.app);

    for path in ["/devices", "/devices/1", "/supplies"] {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert!(page.location.unwrap().starts_with("/login?next="), "{path}");
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

    let html = f.page("/supplies").await;
    let info = f.page(&format!("/devices/{}", f.ids["delta"])).await;
    let group_b = f.page(&format!("/supplies?group={}", f.group_b)).await;

    assert_eq!(
        row_ids(&html),
        [f.ids["charlie"], f.ids["delta"], f.ids["bravo"]],
        "the device with the lowest level first"
    );
    assert_eq!(
        texts(&html, "#supply-summary li"),
        [
            "3 devices report their supply levels.",
            "2 supplies at 10% or less, on 2 devices."
        ]
    );
    assert_eq!(
        attr(&html, "#supply-list rect.fill.sc-cyan", "width"),
        "8",
        "the bar in the supply's colour"
    );
    assert_eq!(
        texts(&html, "#supply-list .supply.low .supply-name"),
        ["Black toner Toner", "Cyan toner"],
        "the low supplies are marked, named by their kind and colour, the device's own \
         words beside where they differ"
    );
    assert!(
        supplies(&html, &row_css(f.ids["delta"]))
            .contains(&("Drum drum".to_string(), "level unknown".to_string())),
        "a level the device cannot tell"
    );
    assert_eq!(
        text(&html, "#silent-devices p"),
        "3 devices do not report their toner, ink or other supply levels, so no level can be shown for them."
    );
    assert!(
        supplies(&info, "#device-supplies").contains(&("Cyan toner".to_string(), "8%".to_string()))
    );
    assert_eq!(
        text(&info, "#device-supplies p.hint"),
        "Levels as reported at 30 Nov 2021 11:00:00"
    );
    assert_eq!(
        texts(&info, "#device-supplies p.hint time"),
        ["30 Nov 2021 11:00:00"]
    );
    assert_eq!(row_ids(&group_b), [f.ids["charlie"]], "filtered by group");
}

#[tokio::test]
async fn without_any_supply_report_the_screens_say_that_no_levels_are_reported() {
    let f = fleet().await;

    let html = f.page("/supplies").await;
    let info = f.page(&format!("/devices/{}", f.ids["alpha"])).await;

    assert_eq!(
        texts(&html, "#no-supply-reports p")[0],
        "None of these devices reports its supply levels."
    );
    assert!(row_ids(&html).is_empty());
    assert_eq!(
        text(&info, "#no-supplies"),
        "This device does not report its toner, ink or other supply levels."
    );
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
    let info = format!("/devices/{}", f.ids["delta"]);
    let shown = |html: &str| -> Vec<String> {
        supplies(html, "#device-supplies")
            .into_iter()
            .map(|(name, _)| name)
            .collect()
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
    let kept = f.page(&info).await;
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

    let html = f.page(&info).await;

    assert_eq!(
        shown(&kept),
        ["Old toner toner"],
        "a report that says nothing about supplies keeps them"
    );
    assert_eq!(
        shown(&html),
        ["New toner toner"],
        "replaced, and an older report is ignored"
    );
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
    assert_eq!(
        refused_fields(&answer),
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
    f.web.app.user(&f.web.tenant, "sato", None, "ja").await;
    let sato = Browser::on(&f.web.app);
    sato.login("sato", PASSWORD).await;

    let list = sato.html("/devices").await;
    let info = sato.html(&format!("/devices/{}", f.ids["alpha"])).await;
    let supplies = sato.html("/supplies").await;

    assert_eq!(text(&list, "main h1"), "デバイスリスト");
    let groups: Vec<String> = options(&list, "#group")
        .into_iter()
        .map(|(_, label, _)| label)
        .collect();
    assert_eq!(groups[..2], ["すべてのデバイス", "グループ未登録デバイス"]);
    assert_eq!(
        texts(&list, "#device-list thead th"),
        [
            "デバイス名 ▲",
            "ステータス",
            "リモートUI",
            "製品名",
            "ビル名",
            "デバイス設置場所",
            "グループ名",
            "最終報告日時"
        ]
    );
    assert_eq!(row_of(&list, f.ids["alpha"])[1], "サービスコール");
    let terms = texts(&info, "dl.info dt");
    for term in ["MACアドレス", "IPアドレス/ホスト名", "トナー/インク管理者"] {
        assert!(terms.iter().any(|t| t == term), "{term} in {terms:?}");
    }
    assert_eq!(options(&info, "#toner_admin")[0].1, "指定なし");
    assert!(
        texts(&info, "#conditions .meta")[0].contains("発生日時"),
        "since when"
    );
    assert_eq!(
        texts(&supplies, "#no-supply-reports p")[0],
        "表示対象のデバイスはいずれも消耗品の残量を報告していません。"
    );
}
