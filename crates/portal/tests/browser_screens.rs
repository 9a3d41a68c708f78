//! The devices, counters and settings screens in a real browser (headless Chromium through
//! chromedriver): the counter table with the seed manual's numbers and its drill-downs, tabs
//! and graph, the device list and its filters, device groups and paper sizes (SPEC S7-S22).
//!
//! `web_counters.rs` and `web_devices.rs` check the same screens' HTML over plain HTTP; here a
//! person's path through them is followed: links clicked, the back button, forms typed into
//! and submitted. Each test leaves screenshots in `artifacts/screenshots/`.

mod common;
// Shared with browser.rs, which uses helpers this file does not.
#[allow(dead_code)]
#[path = "browser/harness.rs"]
mod harness;

use common::{OPERATOR_TOKEN, T0, TestApp, mfp};
use harness::{Browser, PHONE};
use meterport_store::tenants::Tenant;
use meterport_store::users::hash_password;
use serde_json::{Value, json};

const PASSWORD: &str = "secret123";
const AUG_NOV: &str = "unit=month&from=2021-08&to=2021-11&kind=usage&group=all&class=mfp";

/// The seed's first device (chapters 4 and 5): total 1, colour, mono at each month end.
const SEED: [(&str, i64, i64, i64); 5] = [
    ("2021-07-31T18:00:00+09:00", 177556, 61753, 115803),
    ("2021-08-31T18:00:00+09:00", 178011, 61836, 116175),
    ("2021-09-30T18:00:00+09:00", 178388, 61867, 116521),
    ("2021-10-31T18:00:00+09:00", 178742, 61938, 116804),
    ("2021-11-30T18:00:00+09:00", 179465, 62216, 117249),
];

struct Portal {
    app: TestApp,
    tenant: Tenant,
    seed: i64,
    group: i64,
}

/// The seed's device (本社 3F), a device in group "営業", a printer in no group, and the user
/// `yamada` (Japanese).
async fn portal() -> Portal {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("株式会社アクメ", "Asia/Tokyo").await;
    let seed = app.device(&tenant, mfp("SEED-1", "本社 3F")).await;
    let sales = app.device(&tenant, mfp("SALES-1", "営業 複合機")).await;
    let mut printer = mfp("LBP-1", "経理 プリンター");
    printer["device_type"] = json!("mono_lbp");
    printer["remote_ui_url"] = json!("http://192.0.2.10/");
    app.device(&tenant, printer).await;
    let (status, res) = app
        .post(
            &format!("/api/v1/admin/tenants/{}/groups", tenant.id),
            OPERATOR_TOKEN,
            &json!({"name": "営業", "device_ids": [sales]}),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    let group = res["id"].as_i64().unwrap();

    let ingest = app.ingest_token(&tenant).await;
    let mut batch: Vec<Value> = SEED
        .iter()
        .map(|(at, t, c, m)| {
            json!({"serial": "SEED-1", "read_at": at,
                   "counters": {"total1": t, "color": c, "mono": m,
                                "copy": t / 10, "print": t - t / 10, "duplex": t / 3}})
        })
        .collect();
    batch.push(
        json!({"serial": "SALES-1", "read_at": "2021-08-20T12:00:00+09:00",
                      "counters": {"total1": 10385, "color": 2430, "mono": 7955}}),
    );
    let (status, body) = app
        .post("/api/v1/ingest/readings", &ingest, &json!(batch))
        .await;
    assert_eq!(status, 200, "{body}");
    for (name, lang) in [("yamada", "ja"), ("smith", "en")] {
        app.store
            .create_user(
                tenant.id,
                name,
                &hash_password(PASSWORD),
                Some(&format!("{name}@example.com")),
                lang,
                T0,
            )
            .await
            .unwrap();
    }
    Portal {
        app,
        tenant,
        seed,
        group,
    }
}

async fn log_in(b: &Browser) {
    log_in_as(b, "yamada").await;
}

async fn log_in_as(b: &Browser, user: &str) {
    b.goto("/login").await;
    b.type_into("#username", user).await;
    b.type_into("#password", PASSWORD).await;
    b.click_and_wait("#login button[type=submit]").await;
    assert_eq!(b.path().await, "/welcome");
}

/// The cells of the table row whose heading contains `name`.
async fn row(b: &Browser, name: &str) -> Vec<String> {
    let script = format!(
        "const rows = [...document.querySelectorAll('#counters-table tbody tr')];
         const r = rows.find(r => r.querySelector('th') && r.querySelector('th').textContent.includes({name:?}));
         return r ? [...r.querySelectorAll('td')].map(c => c.textContent.trim()) : null;"
    );
    serde_json::from_value(b.js(&script).await).unwrap_or_else(|_| panic!("no row {name}"))
}

/// The browser's back button, waiting until the address has changed. (Pages may come back
/// from the back-forward cache, where the harness's own `back` sees no new document.)
async fn back(b: &Browser) {
    let before = b.path().await;
    b.js("history.back();").await;
    for _ in 0..200 {
        if b.path().await != before {
            b.find("main h1").await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the back button left {before} unchanged");
}

/// The first cell of each row of the device list.
async fn first_column(b: &Browser) -> Value {
    b.js(
        "return [...document.querySelectorAll('#device-list tbody tr')]\
          .map(r => r.querySelector('td, th').textContent.trim());",
    )
    .await
}

#[tokio::test]
async fn the_counter_table_shows_the_seed_s_usage_and_leads_to_each_detail_and_back() {
    let p = portal().await;
    let mut b = Browser::start("counters", &p.app.base).await;
    log_in(&b).await;

    // The form, then its conditions as an address: a bookmark shows the same table.
    b.click_and_wait("nav.menu a[href='/counters']").await;
    assert!(b.exists("#conditions").await);
    b.screenshot("form").await;
    b.goto(&format!("/counters?{AUG_NOV}")).await;
    // Total column first, then August to November: the manual's 455, 377, 354, 723.
    let seed = row(&b, "本社 3F").await;
    assert_eq!(
        seed,
        ["2F", "", "1,909", "455", "377", "354", "723"],
        "{seed:?}"
    );
    // The Total row comes first, under the headings, and adds both devices.
    let total: Vec<String> = b.texts("#counters-table tbody tr.total td").await;
    assert!(
        total.iter().any(|c| c == "10,840"),
        "August: 455 + 10,385: {total:?}"
    );
    // A month without a reading is "-".
    assert_eq!(row(&b, "営業 複合機").await[4], "-");
    b.screenshot("table").await;

    // Device name → its detail over the periods, newest first.
    b.click_and_wait(&format!(
        "#counters-table tbody th a[href^='/counters/device/{}']",
        p.seed
    ))
    .await;
    assert!(
        b.path()
            .await
            .starts_with(&format!("/counters/device/{}", p.seed))
    );
    let body = b.body_text().await;
    assert!(body.contains("本社 3F") && body.contains("723"), "{body}");
    // The function tab: copy and print, duplex said to be included in them; its graph
    // leaves duplex out.
    b.click_and_wait("a[href*='view=function']").await;
    assert!(b.body_text().await.contains("両面"));
    b.click_and_wait("#graph-toggle").await;
    assert!(b.exists("#chart svg").await, "the graph is an SVG");
    let legend = b
        .js("return document.querySelector('#chart svg').textContent;")
        .await;
    let legend = legend.as_str().unwrap();
    assert!(
        legend.contains("コピー") && legend.contains("プリント"),
        "{legend}"
    );
    assert!(!legend.contains("両面"), "duplex is not drawn: {legend}");
    b.screenshot("device-function-graph").await;

    // The same button hides the graph again.
    b.click_and_wait("#graph-toggle").await;
    assert!(!b.exists("#chart").await);
    assert!(b.exists("#counters-table").await);

    // The back button, four times: graph, function tab, device detail, the table as it was.
    for _ in 0..4 {
        back(&b).await;
    }
    assert!(
        b.path().await.starts_with("/counters?"),
        "{}",
        b.path().await
    );
    assert_eq!(row(&b, "本社 3F").await[6], "723");

    // A month's label → that month's days; November 30 holds the month's usage.
    b.click_and_wait("#counters-table thead a[href*='unit=day'][href*='2021-11-01']")
        .await;
    let days = row(&b, "本社 3F").await;
    assert_eq!(
        days.len(),
        3 + 30,
        "location, group, Total, thirty days: {days:?}"
    );
    assert_eq!(days[2], "723");
    assert_eq!(days[32], "723");
    b.screenshot("november-days").await;

    // A period's detail: one row per device for that month.
    b.goto(&format!("/counters/period/2021-08?{AUG_NOV}")).await;
    let body = b.body_text().await;
    assert!(body.contains("455") && body.contains("10,385"), "{body}");
    b.screenshot("august-detail").await;

    // Too long a period: the limit is named next to the field, and nothing is aggregated.
    b.goto("/counters?unit=month&from=2021-01&to=2022-01&kind=usage")
        .await;
    let error = b.text("#error-to").await;
    assert!(error.contains("12"), "{error}");
    assert!(!b.exists("#counters-table").await);
    b.screenshot("too-long").await;

    // On a phone the table scrolls inside its frame; the page itself does not.
    b.viewport(PHONE).await;
    b.goto(&format!("/counters?{AUG_NOV}")).await;
    let overflow = b
        .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
        .await;
    b.screenshot("table-phone").await;
    let wide = b
        .js("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right));")
        .await;
    assert!(
        overflow.as_f64().unwrap() <= 1.0,
        "page overflow {overflow}: {wide}"
    );
    b.close().await;
}

#[tokio::test]
async fn the_device_list_filters_and_the_settings_screens_save_with_messages_by_the_fields() {
    let p = portal().await;
    let mut b = Browser::start("devices_settings", &p.app.base).await;
    log_in(&b).await;

    // All devices, then one group's, then those in no group.
    b.click_and_wait("nav.menu a[href='/devices']").await;
    assert_eq!(b.texts("#device-list tbody tr").await.len(), 3);
    let remote: Vec<String> = b.attrs("#device-list a[target=_blank]", "href").await;
    assert_eq!(
        remote,
        ["http://192.0.2.10/"],
        "the Remote UI opens in a new tab"
    );
    b.screenshot("list").await;
    b.goto(&format!("/devices?group={}", p.group)).await;
    let rows = b.texts("#device-list tbody tr").await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("営業 複合機"));
    b.goto("/devices?group=none").await;
    assert_eq!(b.texts("#device-list tbody tr").await.len(), 2);

    // The text filter, typed and submitted as a person does.
    b.goto("/devices").await;
    b.type_into("#q", "経理").await;
    b.click_and_wait("form.filters button[type=submit]").await;
    let rows = b.texts("#device-list tbody tr").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("経理 プリンター"));

    // A click on a heading sorts by it; a second click reverses the order.
    b.goto("/devices").await;
    b.click_and_wait("#device-list thead th:first-child a")
        .await;
    let first = first_column(&b).await;
    b.click_and_wait("#device-list thead th:first-child a")
        .await;
    let second = first_column(&b).await;
    let mut reversed: Vec<Value> = first.as_array().unwrap().clone();
    reversed.reverse();
    assert_eq!(
        second.as_array().unwrap(),
        &reversed,
        "{first} then {second}"
    );

    // The device's information: put the seed device in the group, and see it saved.
    b.goto(&format!("/devices/{}", p.seed)).await;
    b.js(&format!(
        "document.querySelector('select[name=group]').value = '{}';",
        p.group
    ))
    .await;
    b.click_and_wait("#device-form button[type=submit]").await;
    b.goto(&format!("/devices?group={}", p.group)).await;
    assert_eq!(b.texts("#device-list tbody tr").await.len(), 2);

    // A group name with a forbidden character is refused next to the field.
    b.goto("/settings/groups/new").await;
    b.type_into("#name", "経理/総務").await;
    b.click_and_wait("#group-form button[type=submit]").await;
    let error = b.text("#error-name").await;
    assert!(
        error.contains('/'),
        "the message names the character: {error}"
    );
    b.screenshot("group-refused").await;
    b.find("#name").await.clear().await.unwrap();
    b.type_into("#name", "経理").await;
    b.click_and_wait("#group-form button[type=submit]").await;
    assert!(b.body_text().await.contains("経理"));
    b.screenshot("groups").await;

    // Deleting two groups at once asks first, then leaves their devices in no group.
    b.goto("/settings/groups").await;
    b.js("document.querySelectorAll('#group-list input[name=id]').forEach(c => c.checked = true);")
        .await;
    b.click_and_wait("#delete-groups").await;
    let asked = b.texts("#delete-list li").await;
    assert_eq!(asked.len(), 2, "{asked:?}");
    b.screenshot("delete-confirm").await;
    b.click_and_wait("#confirm-delete").await;
    assert!(b.exists("#no-groups").await, "no group is left");
    b.goto("/devices?group=none").await;
    assert_eq!(b.texts("#device-list tbody tr").await.len(), 3);

    // Paper sizes: add A5; the counters' paper-size tab gets its column.
    b.goto("/settings/paper-sizes").await;
    b.js("document.querySelector('input[name=size][value=a5]').checked = true;")
        .await;
    b.click_and_wait("#paper-form button[type=submit]").await;
    b.goto(&format!("/counters/device/{}?{AUG_NOV}&view=paper", p.seed))
        .await;
    let heads = b.texts("#counters-table thead th").await;
    assert!(heads.iter().any(|h| h.contains("A5")), "{heads:?}");
    b.screenshot("paper-tab-a5").await;

    // The CSV the screen exports holds the read API's numbers for the same conditions.
    let script =
        format!("return await (await fetch('/counters/export?{AUG_NOV}&encoding=utf-8')).text();");
    let from_screen = b.js(&script).await.as_str().unwrap().to_string();
    let read = p.app.read_token(&p.tenant).await;
    let from_api = p
        .app
        .get_raw(&format!("/api/v1/counters.csv?{AUG_NOV}&lang=ja"), &read)
        .await
        .text()
        .await
        .unwrap();
    let numbers = |csv: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| l.contains("本社 3F"))
            .flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
            .collect()
    };
    assert!(
        numbers(&from_screen).contains(&"723".to_string()),
        "{from_screen}"
    );
    assert_eq!(numbers(&from_screen), numbers(&from_api));

    // E-mail notification settings and toner/ink stock are real screens.
    b.click_and_wait("nav.menu a[href='/settings/notifications']")
        .await;
    assert!(b.exists("main form").await);
    b.screenshot("notifications").await;
    b.click_and_wait("nav.menu a[href='/supplies']").await;
    assert_eq!(b.text("main h1").await, "トナー/インク在庫");
    b.screenshot("supplies").await;
    b.close().await;
}

#[tokio::test]
async fn an_english_user_sees_the_same_numbers_under_english_headings() {
    let p = portal().await;
    let mut b = Browser::start("screens_en", &p.app.base).await;
    log_in_as(&b, "smith").await;

    b.click_and_wait("nav.menu a[href='/devices']").await;
    assert_eq!(b.text("main h1").await, "Device list");
    b.screenshot("devices").await;

    b.goto(&format!("/counters?{AUG_NOV}")).await;
    assert_eq!(row(&b, "本社 3F").await[6], "723");
    let heads = b.texts("#counters-table thead th").await;
    assert!(heads.iter().any(|h| h.contains("Device name")), "{heads:?}");
    assert!(
        b.text("#counters-table tbody tr.total th")
            .await
            .contains("Total")
    );
    b.screenshot("table").await;

    b.goto(&format!(
        "/counters/device/{}?{AUG_NOV}&view=color_mode&graph=1",
        p.seed
    ))
    .await;
    assert!(b.exists("#chart svg").await);
    b.screenshot("colour-mode-graph").await;

    b.goto("/settings/groups").await;
    assert_eq!(b.text("main h1").await, "Device groups");
    b.screenshot("groups").await;
    b.viewport(PHONE).await;
    b.goto(&format!("/counters/device/{}?{AUG_NOV}", p.seed))
        .await;
    b.screenshot("device-detail-phone").await;
    b.close().await;
}
