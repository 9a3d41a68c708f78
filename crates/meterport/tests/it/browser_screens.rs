//! The devices, counters and settings screens in a real browser (headless Chromium through
//! chromedriver): the counter table with the seed manual's numbers and its drill-downs, tabs
//! and graph, the device list and its filters, device groups and paper sizes (SPEC S7-S22).
//!
//! `web_counters.rs` and `web_devices.rs` check the same screens' HTML over plain HTTP; here a
//! person's path through them is followed: links clicked, the back button, forms typed into
//! and submitted. Each test leaves screenshots in `artifacts/screenshots/`.

use crate::harness::chromium::{Browser, DESKTOP, PHONE};
use crate::harness::{PASSWORD, TestApp, mfp};
use meterport_store::tenants::Tenant;
use serde_json::{Value, json};
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
    sales: i64,
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
    let group = app.api_group(tenant.id, "営業", &[sales]).await;

    let ingest = app.ingest_token(&tenant).await;
    let mut batch: Vec<Value> = SEED
        .iter()
        .map(|(at, t, c, m)| {
            json!({"serial": "SEED-1", "read_at": at,
                   "counters": {"total1": t, "color": c, "mono": m,
                                "copy": t / 10, "print": t - t / 10, "duplex": t / 3,
                                "color_copy": c / 10, "color_print": c - c / 10,
                                "mono_copy": t / 10 - c / 10, "mono_print": m - (t / 10 - c / 10),
                                "paper_a4": t - t / 5, "paper_a3": t / 5 - t / 50,
                                "paper_a5": t / 50}})
        })
        .collect();
    batch.push(
        json!({"serial": "SALES-1", "read_at": "2021-08-20T12:00:00+09:00",
                      "counters": {"total1": 10385, "color": 2430, "mono": 7955}}),
    );
    app.ingest_ok("readings", &ingest, &json!(batch)).await;
    // The sales MFP has a paper jam (error); the printer has never reported (unknown).
    app.ingest_ok(
        "status",
        &ingest,
        &json!({"serial": "SALES-1", "at": "2021-08-20T12:00:00+09:00",
                    "conditions": [{"code": "jam", "severity": "error", "message": "Paper jam"}]}),
    )
    .await;
    for (name, lang) in [("yamada", "ja"), ("smith", "en")] {
        app.user(&tenant, name, Some(&format!("{name}@example.com")), lang)
            .await;
    }
    Portal {
        app,
        tenant,
        seed,
        sales,
        group,
    }
}

async fn log_in(b: &Browser) {
    log_in_as(b, "yamada").await;
}

async fn log_in_as(b: &Browser, user: &str) {
    b.log_in(user, PASSWORD).await;
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

/// Whether `cells` ends with `tail`.
fn ends_with(cells: &[String], tail: &[&str]) -> bool {
    cells.len() >= tail.len()
        && cells[cells.len() - tail.len()..]
            .iter()
            .zip(tail)
            .all(|(a, b)| a == b)
}

/// Waits until the address contains `part` (a form that submits itself on a change).
async fn wait_for_path(b: &Browser, part: &str) {
    for _ in 0..400 {
        if b.path().await.contains(part) {
            b.find("main h1").await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the address never got {part}: {}", b.path().await);
}

/// The function tab with its graph, in Japanese: the tab's note says duplex pages are in
/// copy and print; the graph's legend has copy and print, and no duplex.
async fn assert_function_graph_leaves_duplex_out(b: &Browser) {
    assert!(b.text(".tab-note").await.contains("両面"));
    let legend = b.texts("#chart svg g.legend text").await;
    assert!(
        legend.iter().any(|l| l == "コピー") && legend.iter().any(|l| l == "プリント"),
        "{legend:?}"
    );
    assert!(
        !legend.iter().any(|l| l.contains("両面")),
        "duplex is not drawn: {legend:?}"
    );
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

    // The form, filled in as a person does: monthly usage, first a period one month too long.
    b.click_and_wait("nav.menu a[href='/counters']").await;
    assert!(b.exists("#conditions").await);
    assert!(
        !b.exists("#counters-table").await,
        "nothing before Aggregate"
    );
    b.screenshot("form").await;
    let fill = |to: &str| {
        format!(
            "document.querySelector('input[name=unit][value=month]').checked = true;
             document.querySelector('input[name=kind][value=usage]').checked = true;
             document.querySelector('#mfrom').value = '2021-08';
             document.querySelector('#mto').value = '{to}';"
        )
    };
    b.js(&fill("2022-08")).await;
    b.click_and_wait("#aggregate").await;
    // The limit is named next to the period fields, and nothing is aggregated.
    let error = b.text("#error-to").await;
    assert!(error.contains("12"), "{error}");
    let beside = b
        .js("return document.querySelector('#error-to').closest('fieldset').contains(document.querySelector('#mto'));")
        .await;
    assert_eq!(beside, json!(true), "the message is by the field");
    assert!(!b.exists("#counters-table").await);
    b.screenshot("too-long").await;
    b.js(&fill("2021-11")).await;
    b.click_and_wait("#aggregate").await;
    let address = b.path().await;
    assert!(
        address.starts_with("/counters?")
            && address.contains("2021-08")
            && address.contains("2021-11"),
        "the conditions are in the address: {address}"
    );
    // Total column first, then August to November: the manual's 455, 377, 354, 723.
    let seed = row(&b, "本社 3F").await;
    assert_eq!(
        seed,
        ["2F", "", "1,909", "455", "377", "354", "723"],
        "{seed:?}"
    );
    let table = b.texts("#counters-table tbody tr").await;
    // The Total row comes first, under the headings. 営業 複合機's only reading is its
    // first (its whole counter, marked): the totals leave it out unless asked.
    let total: Vec<String> = b.texts("#counters-table tbody tr.total td").await;
    assert!(total.iter().any(|c| c == "455"), "August: {total:?}");
    assert_eq!(row(&b, "営業 複合機").await[3], "10,385*");
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
    let summary = b.texts("#summary .item").await;
    assert!(
        summary.iter().any(|i| i == "デバイス名: 本社 3F"),
        "{summary:?}"
    );
    assert_eq!(row(&b, "2021/11").await[0], "723");
    // The function tab: copy and print, duplex said to be included in them; its graph
    // leaves duplex out.
    b.click_and_wait("a[href*='view=function']").await;
    b.click_and_wait("#graph-toggle").await;
    assert!(b.exists("#chart svg").await, "the graph is an SVG");
    assert_function_graph_leaves_duplex_out(&b).await;
    b.screenshot("device-function-graph").await;

    // The same button hides the graph again.
    b.click_and_wait("#graph-toggle").await;
    assert!(!b.exists("#chart").await);
    assert!(b.exists("#counters-table").await);

    // The back button, four times: graph, function tab, device detail, the table as it was.
    for _ in 0..4 {
        b.back().await;
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

    // Back to the table; August's "detail" → one row per device for that month.
    b.back().await;
    assert_eq!(b.path().await, address);
    b.click_and_wait("#counters-table thead a.th-link[href*='/counters/period/2021-08']")
        .await;
    assert!(
        b.path().await.starts_with("/counters/period/2021-08"),
        "{}",
        b.path().await
    );
    let seed = row(&b, "本社 3F").await;
    assert!(
        ends_with(&seed, &["455", "83", "372"])
            || seed.windows(3).any(|w| w == ["455", "83", "372"]),
        "total 1, colour, mono: {seed:?}"
    );
    let sales = row(&b, "営業 複合機").await;
    // Its first reading: the cumulative value itself, marked on each counter (C5) so that
    // a user knows why.
    assert_eq!(sales[2..5], ["10,385*", "2,430*", "7,955*"], "{sales:?}");
    let mark = b
        .js("return document.querySelector('#counters-table sup.oldest').getAttribute('title');")
        .await;
    assert!(!mark.as_str().unwrap_or_default().is_empty(), "{mark}");
    b.screenshot("august-detail").await;

    // Its tabs: colour mode splits the 455 pages into 8 + 75 + 38 + 334.
    b.click_and_wait("nav.tabs a[href*='view=color_mode']")
        .await;
    let seed = row(&b, "本社 3F").await;
    assert!(
        ends_with(&seed, &["455", "8", "75", "38", "334"]),
        "{seed:?}"
    );
    b.click_and_wait("#graph-toggle").await;
    let legend = b.texts("#chart svg g.legend text").await;
    assert_eq!(
        legend,
        [
            "カラーコピー",
            "カラープリント",
            "白黒コピー",
            "白黒プリント",
            "トータル1"
        ],
        "four colour modes and the Total 1 tick"
    );
    let segments = b.js("return [...document.querySelectorAll('#chart rect.segment title')].map(t => t.textContent);").await;
    let segments: Vec<String> = serde_json::from_value(segments).unwrap();
    assert!(
        segments.iter().any(|t| t.contains("334")),
        "the numbers are readable: {segments:?}"
    );
    b.screenshot("august-colour-mode-graph").await;
    b.click_and_wait("nav.tabs a[href*='view=paper']").await;
    let heads = b.texts("#counters-table thead th").await;
    assert!(heads.iter().any(|h| h.contains("A4")), "{heads:?}");
    b.screenshot("august-paper").await;
    b.click_and_wait("nav.tabs a[href*='view=function']").await;
    // The graph stays on across tabs; in the function graph duplex is left out.
    assert_function_graph_leaves_duplex_out(&b).await;
    b.screenshot("august-function").await;
    b.viewport(PHONE).await;
    b.screenshot("august-function-phone").await;
    b.viewport(DESKTOP).await;

    // On a phone the table scrolls inside its frame; the page itself does not.
    b.viewport(PHONE).await;
    b.goto(&format!("/counters?{AUG_NOV}")).await;
    b.screenshot("table-phone").await;
    b.assert_fits_width("the table on a phone").await;

    // The address of the first table, opened afresh (a bookmark, a second tab): the same
    // conditions in the form and the same table.
    b.viewport(DESKTOP).await;
    b.goto("/welcome").await;
    b.goto(&address).await;
    assert_eq!(b.texts("#counters-table tbody tr").await, table);
    assert_eq!(
        b.js("return [document.querySelector('#mfrom').value, document.querySelector('#mto').value, document.querySelector('input[name=kind]:checked').value];").await,
        json!(["2021-08", "2021-11", "usage"])
    );
    b.close().await;
}

#[tokio::test]
async fn the_device_list_filters_and_the_settings_screens_save_with_messages_by_the_fields() {
    let p = portal().await;
    let mut b = Browser::start("devices_settings", &p.app.base).await;
    log_in(&b).await;

    // All devices: counts by status, most severe first, and the Remote UI in a new tab.
    b.click_and_wait("nav.menu a[href='/devices']").await;
    assert_eq!(b.texts("#device-list tbody tr").await.len(), 3);
    let counts = b
        .js(
            "return Object.fromEntries([...document.querySelectorAll('#status-counts a')]\
              .map(a => [a.dataset.status, a.querySelector('.chip-count').textContent.trim()]));",
        )
        .await;
    assert_eq!(
        counts,
        json!({"all": "3", "service_call": "0", "error": "1", "warning": "0",
               "unknown": "1", "normal": "1", "late": "0"}),
        "the paper jam is an error, the printer never reported"
    );
    let remote: Vec<String> = b.attrs("#device-list a[target=_blank]", "href").await;
    assert_eq!(
        remote,
        ["http://192.0.2.10/"],
        "the Remote UI opens in a new tab"
    );
    let tagged = b
        .js("return [...document.querySelectorAll('#device-list tbody tr')]\
              .map(r => r.querySelector('.name span').textContent.trim() + '=' + r.querySelector('.status-tag').dataset.status).sort();")
        .await;
    assert_eq!(
        tagged,
        json!([
            "営業 複合機=error",
            "本社 3F=normal",
            "経理 プリンター=unknown"
        ])
    );
    b.screenshot("list").await;
    b.viewport(PHONE).await;
    b.screenshot("list-phone").await;
    b.viewport(DESKTOP).await;

    // A status chip lists only the devices in that state.
    b.click_and_wait("#status-counts a[data-status=error]")
        .await;
    let rows = b.texts("#device-list tbody tr").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("営業 複合機"));

    // The group selector: one group's devices, then those in no group.
    b.goto("/devices").await;
    b.js(&format!(
        "const s = document.querySelector('#group'); s.value = '{}';
         s.dispatchEvent(new Event('change', {{bubbles: true}}));",
        p.group
    ))
    .await;
    wait_for_path(&b, &format!("group={}", p.group)).await;
    b.find(&format!(
        "#device-list tbody tr[data-device-id='{}']",
        p.sales
    ))
    .await;
    let rows = b.texts("#device-list tbody tr").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("営業 複合機"));
    assert!(b.path().await.contains(&format!("group={}", p.group)));
    b.goto("/devices?group=none").await;
    let rows = b.texts("#device-list tbody tr").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| !r.contains("営業 複合機")), "{rows:?}");

    // The text filter, typed and submitted as a person does.
    b.goto("/devices").await;
    b.submit(&[("#q", "経理")], "form.filters button[type=submit]")
        .await;
    let rows = b.texts("#device-list tbody tr").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("経理 プリンター"));

    // A click on a heading sorts by it; a second click reverses the order.
    b.goto("/devices").await;
    b.click_and_wait("#device-list thead th:first-child a")
        .await;
    let first = first_column(&b).await;
    let mut sorted: Vec<String> = serde_json::from_value(first.clone()).unwrap();
    let shown = sorted.clone();
    sorted.sort();
    assert!(
        shown == sorted || shown.iter().rev().eq(sorted.iter()),
        "{shown:?}"
    );
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

    // The device's information: put the seed device in the group with a toner administrator,
    // save, and see both kept, with the administrator's e-mail.
    b.click_and_wait(&format!("#device-list a[href='/devices/{}']", p.seed))
        .await;
    assert_eq!(b.text("#device-name").await, "本社 3F");
    b.js(&format!(
        "document.querySelector('#group').value = '{}';
         const t = document.querySelector('#toner_admin');
         t.value = [...t.options].find(o => o.textContent.includes('smith')).value;",
        p.group
    ))
    .await;
    b.click_and_wait("#device-form button[type=submit]").await;
    assert!(b.exists("#saved").await, "the screen says it saved");
    b.goto(&format!("/devices/{}", p.seed)).await;
    assert_eq!(
        b.js("return document.querySelector('#group').value;").await,
        json!(p.group.to_string())
    );
    let admin = b
        .js("const t = document.querySelector('#toner_admin'); return t.options[t.selectedIndex].textContent;")
        .await;
    assert!(admin.as_str().unwrap().contains("smith"), "{admin}");
    assert_eq!(b.text("#device-admin-email").await, "smith@example.com");
    b.screenshot("device-saved").await;
    b.viewport(PHONE).await;
    b.screenshot("device-saved-phone").await;
    b.viewport(DESKTOP).await;
    b.goto(&format!("/devices?group={}", p.group)).await;
    assert_eq!(b.texts("#device-list tbody tr").await.len(), 2);

    // A group name with a forbidden character is refused next to the field.
    b.goto("/settings/groups/new").await;
    b.submit(&[("#name", "経理/総務")], "#group-form button[type=submit]")
        .await;
    let error = b.text("#error-name").await;
    assert!(
        error.contains('/'),
        "the message names the character: {error}"
    );
    b.screenshot("group-refused").await;
    assert_eq!(
        b.js("return document.querySelector('#name').getAttribute('aria-invalid');")
            .await,
        json!("true")
    );
    // Valid names: 経理 with the printer, then 総務 without devices.
    b.type_into("#name", "経理").await;
    b.js("[...document.querySelectorAll('#devices tr')].find(r => r.textContent.includes('経理 プリンター'))\
          .querySelector('input[type=checkbox]').checked = true;")
        .await;
    b.click_and_wait("#group-form button[type=submit]").await;
    b.goto("/settings/groups").await;
    b.click_and_wait("#new-group").await;
    b.submit(&[("#name", "総務")], "#group-form button[type=submit]")
        .await;
    b.goto("/settings/groups").await;
    let names = b.texts("#group-list tbody td:nth-child(2)").await;
    assert_eq!(names, ["営業", "経理", "総務"], "{names:?}");
    let members = b.texts("#group-list tbody td.num").await;
    assert_eq!(members, ["2", "1", "0"], "{members:?}");

    // Rename 総務 to 総務部.
    let href = b
        .js("return [...document.querySelectorAll('#group-list a')].find(a => a.textContent.trim() === '総務').getAttribute('href');")
        .await;
    b.click_and_wait(&format!("#group-list a[href='{}']", href.as_str().unwrap()))
        .await;
    let renamed_path = b.path().await;
    assert_eq!(
        b.js("return document.querySelector('#name').value;").await,
        json!("総務")
    );
    b.submit(&[("#name", "総務部")], "#group-form button[type=submit]")
        .await;
    b.goto("/settings/groups").await;
    let names = b.texts("#group-list tbody td:nth-child(2)").await;
    assert!(
        names.contains(&"総務部".to_string()) && !names.contains(&"総務".to_string()),
        "{names:?} after renaming {renamed_path}"
    );
    b.screenshot("groups").await;

    // Deleting two groups at once asks first, then leaves their devices in no group.
    b.js("[...document.querySelectorAll('#group-list tbody tr')]\
          .filter(r => !r.textContent.includes('営業'))\
          .forEach(r => r.querySelector('input[name=id]').checked = true);")
        .await;
    b.click_and_wait("#delete-groups").await;
    let asked = b.texts("#delete-list li").await;
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(
        asked[0].contains("経理") && asked[1].contains("総務部"),
        "{asked:?}"
    );
    b.screenshot("delete-confirm").await;
    b.click_and_wait("#confirm-delete").await;
    let names = b.texts("#group-list tbody td:nth-child(2)").await;
    assert_eq!(names, ["営業"]);
    b.goto("/devices?group=none").await;
    let rows = b.texts("#device-list tbody tr").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("経理 プリンター"));

    // Paper sizes: tick A5 and save; the choice stays, and the counters' paper-size tab gets
    // an A5 column with the seed device's A5 pages (9 + 7 + 7 + 15).
    b.goto("/settings/paper-sizes").await;
    assert!(
        !b.find("input[name=size][value=a5]")
            .await
            .is_selected()
            .await
            .unwrap()
    );
    b.find("input[name=size][value=a5]")
        .await
        .click()
        .await
        .unwrap();
    b.click_and_wait("#paper-form button[type=submit]").await;
    b.goto("/settings/paper-sizes").await;
    assert!(
        b.find("input[name=size][value=a5]")
            .await
            .is_selected()
            .await
            .unwrap()
    );
    b.screenshot("paper-sizes").await;
    b.goto(&format!("/counters/device/{}?{AUG_NOV}", p.seed))
        .await;
    b.click_and_wait("nav.tabs a[href*='view=paper']").await;
    let a5 = b
        .js("const heads = [...document.querySelectorAll('#counters-table thead th')].map(h => h.textContent.trim());
             const i = heads.findIndex(h => h.includes('A5'));
             const total = document.querySelector('#counters-table tbody tr.total');
             return [heads, i < 0 ? null : [...total.children][i].textContent.trim()];")
        .await;
    assert_eq!(a5[1], json!("38"), "{a5}");
    b.screenshot("paper-tab-a5").await;

    // The CSV behind the table's Export button holds the read API's CSV for the same
    // conditions, byte for byte once the file is read as text.
    b.goto(&format!("/counters?{AUG_NOV}")).await;
    let export = b
        .js("const f = document.querySelector('#export');
             return f.action + '?' + new URLSearchParams(new FormData(f)).toString();")
        .await;
    let export = export.as_str().unwrap().to_string();
    assert!(export.contains("encoding=utf-8"), "{export}");
    let script = format!(
        "const r = await fetch({export:?});
         return [r.status, r.headers.get('content-disposition') || '', await r.text()];"
    );
    let got = b.js(&script).await;
    assert_eq!(got[0], json!(200), "{got}");
    let disposition = got[1].as_str().unwrap();
    assert!(
        disposition.contains("attachment") && disposition.contains("2021"),
        "{disposition}"
    );
    let from_screen = got[2].as_str().unwrap().to_string();
    let query = export.split_once('?').unwrap().1;
    let read = p.app.read_token(&p.tenant).await;
    let from_api = p
        .app
        .get_raw(&format!("/api/v1/counters.csv?{query}&lang=ja"), &read)
        .await
        .text()
        .await
        .unwrap();
    let seed_row = from_screen
        .lines()
        .find(|l| l.contains("本社 3F"))
        .unwrap_or_else(|| panic!("{from_screen}"));
    assert!(
        seed_row.ends_with(",1909,455,377,354,723") || seed_row.contains(",455,377,354,723"),
        "{seed_row}"
    );
    assert_eq!(
        from_screen.trim_start_matches('\u{feff}'),
        from_api.trim_start_matches('\u{feff}')
    );

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
    let counts = b.texts("#status-counts a").await;
    assert!(
        counts
            .iter()
            .any(|c| c.contains("Error") && c.contains('1')),
        "{counts:?}"
    );
    b.screenshot("devices").await;
    b.goto(&format!("/devices/{}", p.seed)).await;
    assert_eq!(b.text("#device-name").await, "本社 3F");
    b.screenshot("device").await;

    b.goto("/counters").await;
    b.screenshot("form").await;
    b.goto("/counters?unit=month&from=2021-01&to=2022-01&kind=usage")
        .await;
    let error = b.text("#error-to").await;
    assert!(error.contains("12"), "{error}");
    b.screenshot("too-long").await;

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

    b.goto(&format!(
        "/counters/period/2021-08?{AUG_NOV}&view=function&graph=1"
    ))
    .await;
    let legend = b.texts("#chart svg g.legend text").await;
    assert!(legend.iter().any(|l| l == "Copy"), "{legend:?}");
    assert!(!legend.iter().any(|l| l.contains("Duplex")), "{legend:?}");
    b.screenshot("august-function-graph").await;

    b.goto("/settings/groups").await;
    assert_eq!(b.text("main h1").await, "Device groups");
    b.screenshot("groups").await;
    b.goto("/settings/groups/new").await;
    b.submit(
        &[("#name", "Sales;East")],
        "#group-form button[type=submit]",
    )
    .await;
    let error = b.text("#error-name").await;
    assert!(error.contains(';'), "{error}");
    b.screenshot("group-refused").await;
    b.goto("/settings/paper-sizes").await;
    b.screenshot("paper-sizes").await;

    // The main screens on a phone.
    b.viewport(PHONE).await;
    for (path, step) in [
        ("/devices".to_string(), "devices-phone"),
        (format!("/devices/{}", p.seed), "device-phone"),
        (format!("/counters?{AUG_NOV}"), "table-phone"),
        (
            format!("/counters/device/{}?{AUG_NOV}", p.seed),
            "device-detail-phone",
        ),
        ("/settings/groups".to_string(), "groups-phone"),
        ("/settings/paper-sizes".to_string(), "paper-sizes-phone"),
        (
            format!("/counters/period/2021-08?{AUG_NOV}&view=color_mode&graph=1"),
            "graph-phone",
        ),
    ] {
        b.goto(&path).await;
        b.find("main h1").await;
        b.screenshot(step).await;
        b.assert_fits_width(&path).await;
    }
    // The graph keeps readable labels on a phone: its drawing scrolls inside its frame
    // instead of shrinking to the phone's width.
    let drawn = b
        .js("return document.querySelector('#chart svg').getBoundingClientRect().width;")
        .await;
    assert!(
        drawn.as_f64().unwrap() >= 700.0,
        "the graph shrank to {drawn} px"
    );
    b.close().await;
}
