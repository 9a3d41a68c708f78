//! The counter information screens through HTTP (SPEC S12-S20): the form and its limits, the
//! aggregate table, the device and period details with their tabs and graphs, sorting,
//! paging, the CSV export, tenant isolation, and markup that the CSP allows.
//!
//! The data is the seed manual's own first device (chapters 4 and 5: cumulative values at
//! the ends of July to November 2021, usage 455, 377, 354 and 723), with its paper-size,
//! colour-mode and function counters, so that the screens can be checked against the
//! manual's screenshots.

use crate::harness::web::{self, Browser};
use crate::harness::{OPERATOR_TOKEN, T0, TestApp, lfp, mfp};
use meterport_store::tenants::Tenant;
use meterport_store::users::hash_password;
use serde_json::{Value, json};

const PASSWORD: &str = "secret123";
const AUG_NOV: &str = "unit=month&from=2021-08&to=2021-11&kind=usage";

/// The seed's device 1 at each month end: (read_at, counters).
const KEYS: [&str; 21] = [
    "total1",
    "color",
    "mono",
    "scan",
    "color_large",
    "color_small",
    "mono_large",
    "mono_small",
    "paper_a3",
    "paper_a4",
    "paper_b4",
    "paper_b5",
    "color_copy",
    "color_print",
    "mono_copy",
    "mono_print",
    "copy",
    "receive",
    "print",
    "scan_send",
    "duplex",
];
#[rustfmt::skip]
const SEED: [(&str, [i64; 21]); 5] = [
    // July's values are August's (chapter 5) less August's usage (chapter 4).
    ("2021-07-31T18:00:00+09:00", [177556, 61753, 115803, 15950, 3010, 58743, 11212, 104591,
        14196, 162443, 0, 0, 1452, 60301, 4937, 110866, 6389, 7197, 163970, 13214, 50708]),
    ("2021-08-31T18:00:00+09:00", [178011, 61836, 116175, 15970, 3010, 58826, 11246, 104929,
        14230, 162864, 0, 0, 1452, 60384, 4942, 111233, 6394, 7197, 164420, 13229, 50838]),
    ("2021-09-30T18:00:00+09:00", [178388, 61867, 116521, 15991, 3010, 58857, 11273, 105248,
        14257, 163214, 0, 0, 1452, 60415, 4943, 111578, 6395, 7197, 164796, 13248, 50921]),
    ("2021-10-31T18:00:00+09:00", [178742, 61938, 116804, 16006, 3010, 58928, 11287, 105517,
        14271, 163554, 0, 0, 1452, 60486, 4947, 111857, 6399, 7197, 165146, 13258, 51027]),
    ("2021-11-30T18:00:00+09:00", [179465, 62216, 117249, 16081, 3012, 59204, 11298, 105951,
        14284, 164264, 0, 0, 1452, 60764, 5001, 112248, 6453, 7197, 165815, 13275, 51264]),
];

struct Fixture {
    app: TestApp,
    tenant: Tenant,
    dev1: i64,
    dev2: i64,
    plotter: i64,
    group: i64,
    ingest: String,
}

fn counters(keys: &[&str], values: &[i64]) -> Value {
    keys.iter()
        .zip(values)
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Device 1 of the seed, device 2 in group "Sales" (chapter 4-3's August), a printer whose
/// first reading is in August (its usage is marked, C5), a spare device without data, a
/// large-format printer, and users `yamada` (Japanese) and `smith` (English).
async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Acme", "Asia/Tokyo").await;
    let dev1 = app.device(&tenant, mfp("SEED-1", "本社 3F")).await;
    let dev2 = app.device(&tenant, mfp("SEED-2", "営業部")).await;
    let mut printer = mfp("LBP-1", "Printer");
    printer["device_type"] = json!("mono_lbp");
    printer["location"] = json!("1F");
    app.device(&tenant, printer).await;
    let mut spare = mfp("SPARE-1", "Spare");
    spare["location"] = json!(null);
    app.device(&tenant, spare).await;
    let plotter = app.device(&tenant, lfp("LFP-1", "Plotter", "a4")).await;
    let body = json!({"name": "Sales", "device_ids": [dev2]});
    let (status, res) = app
        .post(
            &format!("/api/v1/admin/tenants/{}/groups", tenant.id),
            OPERATOR_TOKEN,
            &body,
        )
        .await;
    assert_eq!(status, 201, "{res}");
    let group = res["id"].as_i64().unwrap();

    let ingest = app.ingest_token(&tenant).await;
    let mut batch: Vec<Value> = SEED
        .iter()
        .map(|(at, v)| json!({"serial": "SEED-1", "read_at": at, "counters": counters(&KEYS, v)}))
        .collect();
    let eight = &KEYS[..8];
    batch.push(
        json!({"serial": "SEED-2", "read_at": "2021-07-31T00:00:00+09:00",
        "counters": counters(eight, &[0; 8])}),
    );
    batch.push(
        json!({"serial": "SEED-2", "read_at": "2021-08-20T12:00:00+09:00",
        "counters": counters(eight, &[10385, 2430, 7955, 1441, 14, 2416, 417, 7538])}),
    );
    batch.push(
        json!({"serial": "LBP-1", "read_at": "2021-08-20T12:00:00+09:00",
        "counters": {"total1": 900, "print": 900, "mono": 900}}),
    );
    batch.push(
        json!({"serial": "LFP-1", "read_at": "2021-08-20T12:00:00+09:00",
        "counters": {"total1": 12.5, "duty_a": 2.25}}),
    );
    let (status, body) = app
        .post("/api/v1/ingest/readings", &ingest, &json!(batch))
        .await;
    assert_eq!(status, 200, "{body}");

    let hash = hash_password(PASSWORD);
    for (name, lang) in [("yamada", "ja"), ("smith", "en")] {
        app.store
            .create_user(
                tenant.id,
                name,
                &hash,
                Some(&format!("{name}@example.com")),
                lang,
                T0,
            )
            .await
            .unwrap();
    }
    Fixture {
        app,
        tenant,
        dev1,
        dev2,
        plotter,
        group,
        ingest,
    }
}

/// A logged-in browser of one of the fixture's users.
struct Web {
    browser: Browser,
}

impl Web {
    /// Logs `user` in through the form (asserted).
    async fn login(app: &TestApp, user: &str) -> Web {
        let browser = Browser::on(app);
        browser.login(user, PASSWORD).await;
        Web { browser }
    }

    async fn response(&self, path: &str) -> reqwest::Response {
        self.browser
            .client
            .get(format!("{}{path}", self.browser.base))
            .send()
            .await
            .unwrap()
    }

    /// Status and body, `&` decoded in its escaped forms so that links read as they are
    /// followed.
    async fn get(&self, path: &str) -> (u16, String) {
        let page = self.browser.get(path).await;
        (
            page.status,
            page.html.replace("&amp;", "&").replace("&#38;", "&"),
        )
    }

    async fn page(&self, path: &str) -> String {
        let (status, html) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {html}");
        html
    }
}

/// The part of `html` between `start` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    let to = html[from..].find(end).expect("the end") + from;
    &html[from..to]
}

/// The counter table's body rows (the page's first `tbody`), each as its cells' texts.
fn rows(html: &str) -> Vec<Vec<String>> {
    let doc = scraper::Html::parse_document(html);
    let tbody = doc
        .select(&web::selector("tbody"))
        .next()
        .unwrap_or_else(|| panic!("a table body in {html}"));
    let cells = web::selector("th, td");
    tbody
        .select(&web::selector("tr"))
        .map(|tr| tr.select(&cells).map(web::text_of).collect())
        .collect()
}

/// The row whose first cell starts with `name`.
fn row(html: &str, name: &str) -> Vec<String> {
    rows(html)
        .into_iter()
        .find(|r| r[0].starts_with(name))
        .unwrap_or_else(|| panic!("a row {name} in {:?}", rows(html)))
}

/// The column headings (the first `thead`'s labels), without their sort arrows and links.
fn headings(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let thead = doc
        .select(&web::selector("thead"))
        .next()
        .unwrap_or_else(|| panic!("a table head in {html}"));
    thead
        .select(&web::selector(".label"))
        .map(web::text_of)
        .collect()
}

/// The first link whose address starts with `prefix`.
fn href(html: &str, prefix: &str) -> String {
    let at = html
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("a link to {prefix}"));
    html[at + 6..].split('"').next().unwrap().to_string()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_counters_menu_opens_the_form_with_the_last_four_months_and_no_table() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let html = web.page("/counters").await;
    assert!(html.contains("<h1>カウンター情報</h1>"));
    assert!(
        html.contains(r#"aria-current="page">カウンター情報"#),
        "the menu entry is active"
    );
    // The clock stands at 2021-12-01: the months up to December, the days of November on.
    for field in [
        r#"type="month" id="mfrom" name="mfrom" value="2021-09""#,
        r#"type="month" id="mto" name="mto" value="2021-12""#,
        r#"type="date" id="dfrom" name="dfrom" value="2021-09-01""#,
    ] {
        assert!(html.contains(field), "{field}");
    }
    assert!(html.contains(r#"value="month" checked"#) && html.contains(r#"value="usage" checked"#));
    assert!(html.contains(&format!(r#"<option value="{}">Sales</option>"#, f.group)));
    assert!(html.contains("グループ未登録デバイス"));
    assert!(html.contains(">集計</button>") && html.contains(r#"href="/counters" id="reset""#));
    assert!(
        html.contains(r#"formaction="/counters/export""#),
        "Export sends the form's conditions"
    );
    assert!(
        !html.contains("counters-table"),
        "nothing is aggregated yet"
    );
}

#[tokio::test]
async fn submitting_the_form_leads_to_an_address_that_holds_the_conditions() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let res = web
        .response(&format!(
            "/counters?unit=day&mfrom=2021-08&mto=2021-11&dfrom=2021-08-01&dto=2021-08-31&kind=cumulative&group={}&class=mfp",
            f.group
        ))
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!(
            "/counters?unit=day&from=2021-08-01&to=2021-08-31&kind=cumulative&group={}&class=mfp",
            f.group
        )
    );
}

#[tokio::test]
async fn the_monthly_usage_table_shows_the_seed_s_numbers_with_a_total_row_and_column() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let html = web.page(&format!("/counters?{AUG_NOV}")).await;
    assert_eq!(
        headings(&html),
        strs(&[
            "デバイス名",
            "デバイス設置場所",
            "グループ名",
            "合計",
            "2021/08",
            "2021/09",
            "2021/10",
            "2021/11"
        ])
    );
    let all = rows(&html);
    assert_eq!(
        all[0],
        strs(&["合計", "", "", "13,194", "11,740", "377", "354", "723"]),
        "the Total row first"
    );
    assert_eq!(
        row(&html, "本社 3F"),
        strs(&["本社 3F", "2F", "", "1,909", "455", "377", "354", "723"])
    );
    assert_eq!(
        row(&html, "営業部"),
        strs(&["営業部", "2F", "Sales", "10,385", "10,385", "-", "-", "-"])
    );
    // The printer's first reading is in August: its usage is its counter, marked (C5).
    assert_eq!(
        row(&html, "Printer"),
        strs(&["Printer", "1F", "", "900", "900*", "-", "-", "-"])
    );
    assert!(
        html.contains("差し引く前の値がないため"),
        "the mark is explained"
    );
    assert_eq!(
        row(&html, "Spare"),
        strs(&["Spare", "", "", "-", "-", "-", "-", "-"])
    );
    assert!(
        !html.contains("Plotter"),
        "large-format printers are another class"
    );
    // The conditions stay visible above the table, and editable.
    assert!(html.contains("期間: <strong>2021/08~2021/11</strong>"));
    assert!(html.contains("グループ: <strong>すべてのデバイス</strong>"));
    assert!(html.contains(r#"name="mfrom" value="2021-08""#));
    assert!(html.contains("使用枚数 - カウンター集計(月単位)"));

    // C8: the JSON API has the same numbers.
    let read = f.app.read_token(&f.tenant).await;
    let (_, api) = f
        .app
        .get(&format!("/api/v1/counters?{AUG_NOV}"), &read)
        .await;
    let d1 = api["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == f.dev1)
        .unwrap();
    let api_cells: Vec<String> = ["2021-08", "2021-09", "2021-10", "2021-11"]
        .iter()
        .map(|p| d1["periods"][p]["total1"].to_string())
        .collect();
    let screen: Vec<String> = row(&html, "本社 3F")[4..]
        .iter()
        .map(|c| c.replace(',', ""))
        .collect();
    assert_eq!(screen, api_cells);
    assert_eq!(api["total"]["total"]["total1"], 13194);
}

#[tokio::test]
async fn the_cumulative_table_has_no_total_row_or_column() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let html = web
        .page("/counters?unit=month&from=2021-08&to=2021-11&kind=cumulative")
        .await;
    assert_eq!(
        headings(&html),
        strs(&[
            "デバイス名",
            "デバイス設置場所",
            "グループ名",
            "2021/08",
            "2021/09",
            "2021/10",
            "2021/11"
        ])
    );
    assert_eq!(
        rows(&html)[0][0],
        "Printer",
        "no Total row: rows start with the devices"
    );
    assert_eq!(
        row(&html, "本社 3F"),
        strs(&[
            "本社 3F",
            "2F",
            "",
            "178,011",
            "178,388",
            "178,742",
            "179,465"
        ])
    );
    assert!(!html.contains(r#"class="total""#));
    assert!(!html.contains("900*"), "no usage, no mark");
    // The month in progress (the clock is at 2021-12-01) says so.
    let html = web
        .page("/counters?unit=month&from=2021-11&to=2021-12&kind=cumulative")
        .await;
    let december = between(&html, "<span class=\"label\">2021/12</span>", "</th>");
    assert!(december.contains("集計中"), "{december}");
    assert_eq!(html.matches("集計中").count(), 1);
}

#[tokio::test]
async fn a_too_long_or_invalid_period_is_named_next_to_its_field_and_nothing_is_aggregated() {
    let f = fixture().await;
    let ja = Web::login(&f.app, "yamada").await;
    let en = Web::login(&f.app, "smith").await;
    let cases: [(&Web, &str, &str, &str); 7] = [
        (
            &ja,
            "unit=month&from=2021-01&to=2022-01",
            "to",
            "月単位の期間は最大12か月です。開始が 2021/01 の場合、終了は 2021/12 までです。",
        ),
        (
            &en,
            "unit=month&from=2021-01&to=2022-01",
            "to",
            "A monthly period can be at most 12 months: starting Jan 2021, it can end in Dec 2021 at the latest.",
        ),
        (
            &ja,
            "unit=day&from=2021-08-01&to=2021-11-01",
            "to",
            "日単位の期間は最大3か月です。開始が 2021/08/01 の場合、終了は 2021/10/31 までです。",
        ),
        (
            &en,
            "unit=day&from=2021-08-01&to=2021-11-01",
            "to",
            "A daily period can be at most 3 months: starting 1 Aug 2021, it can end on 31 Oct 2021 at the latest.",
        ),
        (
            &ja,
            "unit=month&from=2021-09&to=2021-08",
            "to",
            "期間の終了が開始より前になっています。",
        ),
        (
            &en,
            "unit=month&from=2021-13&to=2021-12",
            "from",
            "Enter a month as YYYY-MM, for example 2021-08.",
        ),
        (
            &en,
            "unit=day&from=&to=2021-08-31",
            "from",
            "Enter this field.",
        ),
    ];
    for (web, query, field, message) in cases {
        let html = web.page(&format!("/counters?{query}")).await;
        let error = web::field_error(&html, field)
            .unwrap_or_else(|| panic!("{query}: a message next to {field}"));
        assert_eq!(error, message, "{query}");
        assert_eq!(
            web::attrs(&html, &format!("#error-{field}"), "role"),
            ["alert"],
            "{query}: announced"
        );
        assert!(
            !html.contains("counters-table"),
            "{query}: nothing aggregated"
        );
        assert!(html.contains(r#"aria-invalid="true""#), "{query}");
    }
    // What was typed stays in the field, to be corrected.
    let html = ja
        .page("/counters?unit=month&from=2021-01&to=2022-01")
        .await;
    assert!(html.contains(r#"name="mto" value="2022-01""#));
    assert!(
        !html.contains(r#"<details class="conditions""#),
        "the form is open, not folded"
    );
}

#[tokio::test]
async fn a_device_name_opens_its_detail_newest_first_under_a_total_row() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let table = web.page(&format!("/counters?{AUG_NOV}")).await;
    let link = href(&table, &format!("/counters/device/{}?", f.dev1));
    assert!(
        link.contains("from=2021-08&to=2021-11"),
        "the conditions go along: {link}"
    );
    let html = web.page(&link).await;
    assert!(html.contains("使用枚数 - 指定デバイスのカウンター詳細(月単位)"));
    assert!(html.contains("デバイス名: <strong>本社 3F</strong>"));
    assert_eq!(
        headings(&html),
        strs(&[
            "期間",
            "トータル1",
            "カラー",
            "白黒",
            "スキャン",
            "カラー(ラージ)",
            "カラー(スモール)",
            "白黒(ラージ)",
            "白黒(スモール)"
        ])
    );
    let all = rows(&html);
    let firsts: Vec<&str> = all
        .iter()
        .map(|r| r[0].split(' ').next().unwrap())
        .collect();
    assert_eq!(firsts, ["合計", "2021/11", "2021/10", "2021/09", "2021/08"]);
    assert_eq!(
        all[0][1..],
        strs(&["1,909", "463", "1,446", "131", "2", "461", "86", "1,360"])
    );
    // August is chapter 4-3's first row.
    assert_eq!(
        all[4][1..],
        strs(&["455", "83", "372", "20", "0", "83", "34", "338"])
    );
    // A month's row leads to its days for this device, and to the month's detail.
    assert!(all[1][0].ends_with("日別"));
    let days = web
        .page(&href(
            &html,
            &format!(
                "/counters/device/{}?unit=day&from=2021-11-01&to=2021-11-30",
                f.dev1
            ),
        ))
        .await;
    assert_eq!(rows(&days).len(), 31, "a Total row and 30 days");
    assert_eq!(
        row(&days, "2021/11/30"),
        strs(&[
            "2021/11/30 (火)",
            "723",
            "278",
            "445",
            "75",
            "2",
            "276",
            "11",
            "434"
        ])
    );
    assert!(html.contains(&format!(r#"href="/counters/period/2021-11?{AUG_NOV}"#)));
}

#[tokio::test]
async fn the_tabs_show_their_headings_in_japanese_and_english() {
    let f = fixture().await;
    let ja = Web::login(&f.app, "yamada").await;
    let en = Web::login(&f.app, "smith").await;
    let base = format!("/counters/device/{}?{AUG_NOV}&group=all&class=mfp", f.dev1);
    let cases: [(&Web, &str, &[&str], &[&str]); 6] = [
        (
            &ja,
            "paper",
            &["期間", "トータル1", "A3", "A4", "B4", "B5"],
            &["455", "34", "421", "0", "0"],
        ),
        (
            &en,
            "paper",
            &["Period", "Total 1", "A3", "A4", "B4", "B5"],
            &["455", "34", "421", "0", "0"],
        ),
        (
            &ja,
            "color_mode",
            &[
                "期間",
                "トータル1",
                "カラーコピー",
                "カラープリント",
                "白黒コピー",
                "白黒プリント",
            ],
            &["455", "0", "83", "5", "367"],
        ),
        (
            &en,
            "color_mode",
            &[
                "Period",
                "Total 1",
                "Colour copy",
                "Colour print",
                "Mono copy",
                "Mono print",
            ],
            &["455", "0", "83", "5", "367"],
        ),
        (
            &ja,
            "function",
            &[
                "期間",
                "トータル1",
                "コピー",
                "受信",
                "プリント",
                "スキャン(Send)",
                "両面",
            ],
            &["455", "5", "0", "450", "15", "130"],
        ),
        (
            &en,
            "function",
            &[
                "Period",
                "Total 1",
                "Copy",
                "Receive",
                "Print",
                "Scan (send)",
                "Duplex",
            ],
            &["455", "5", "0", "450", "15", "130"],
        ),
    ];
    for (web, view, heads, august) in cases {
        let html = web.page(&format!("{base}&view={view}")).await;
        assert_eq!(headings(&html), strs(heads), "{view}");
        let aug = rows(&html)
            .into_iter()
            .find(|r| r[0].starts_with("2021/08") || r[0].starts_with("Aug 2021"))
            .unwrap();
        assert_eq!(aug[1..], strs(august), "{view}");
        let tabs = between(&html, r#"class="tabs""#, "</nav>");
        assert_eq!(
            tabs.matches("aria-current").count(),
            1,
            "{view}: the current tab is marked"
        );
    }
    let paper = ja.page(&format!("{base}&view=paper")).await;
    assert!(paper.contains("一覧に表示されていない用紙サイズ"));
    assert!(paper.contains(r#"href="/settings/paper-sizes""#));
    let function = en.page(&format!("{base}&view=function")).await;
    assert!(function.contains("Duplex pages are already included in Copy, Receive and Print."));
    // The tabs keep the conditions.
    assert!(function.contains(&format!(
        r#"href="/counters/device/{}?{AUG_NOV}&group=all&class=mfp&view=paper""#,
        f.dev1
    )));
}

#[tokio::test]
async fn the_paper_tab_follows_the_tenant_s_paper_sizes() {
    let f = fixture().await;
    f.app
        .store
        .set_paper_sizes(f.tenant.id, &["letter", "a4"])
        .await
        .unwrap();
    let web = Web::login(&f.app, "yamada").await;
    let html = web
        .page(&format!("/counters/device/{}?{AUG_NOV}&view=paper", f.dev1))
        .await;
    assert_eq!(
        headings(&html),
        strs(&["期間", "トータル1", "A4", "レター"]),
        "in the setting's order"
    );
    assert_eq!(
        row(&html, "2021/08")[1..],
        strs(&["455", "421", "-"]),
        "Letter was never reported"
    );
    let period = web
        .page(&format!("/counters/period/2021-08?{AUG_NOV}&view=paper"))
        .await;
    assert_eq!(headings(&period)[3..], strs(&["トータル1", "A4", "レター"]));
}

#[tokio::test]
async fn a_period_s_detail_lists_every_device_and_a_month_opens_its_days() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let table = web.page(&format!("/counters?{AUG_NOV}")).await;
    let html = web.page(&href(&table, "/counters/period/2021-08?")).await;
    assert!(html.contains("使用枚数 - 指定月のカウンター詳細: 2021/08"));
    let all = rows(&html);
    assert_eq!(
        all[0][..5],
        strs(&["合計", "", "", "11,740", "2,513"]),
        "the Total row first"
    );
    assert_eq!(
        row(&html, "本社 3F")[3..],
        strs(&["455", "83", "372", "20", "0", "83", "34", "338"])
    );
    assert_eq!(
        row(&html, "営業部")[3..],
        strs(&[
            "10,385", "2,430", "7,955", "1,441", "14", "2,416", "417", "7,538"
        ])
    );
    assert_eq!(row(&html, "Printer")[3..5], strs(&["900*", "-"]));
    // Device names lead to the device over the table's range.
    assert!(html.contains(&format!(
        r#"href="/counters/device/{}?{AUG_NOV}&group=all&class=mfp&view=counter""#,
        f.dev2
    )));

    // The month's label opens its days.
    let days = web
        .page(&href(
            &table,
            "/counters?unit=day&from=2021-08-01&to=2021-08-31",
        ))
        .await;
    let heads = headings(&days);
    assert_eq!(heads.len(), 3 + 1 + 31);
    assert_eq!(
        heads[4], "08/01",
        "short, with the full date as its tooltip"
    );
    assert!(days.contains(r#"title="2021/08/01""#));
    assert_eq!(row(&days, "営業部")[3], "10,385");
    assert_eq!(row(&days, "営業部")[4 + 19], "10,385", "on the 20th");
    assert_eq!(row(&days, "本社 3F")[4 + 30], "455", "on the 31st");
    assert!(days.contains("(日単位)"));
}

#[tokio::test]
async fn the_graph_draws_one_segment_per_category_with_its_value_and_no_duplex() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let base = format!("/counters/device/{}?{AUG_NOV}&view=function", f.dev1);
    let plain = web.page(&base).await;
    assert!(!plain.contains("<svg"));
    let toggle = between(&plain, r#"class="button graph-toggle" href=""#, "\"");
    assert!(toggle.ends_with("&view=function&graph=1"), "{toggle}");
    let html = web.page(toggle).await;
    assert!(html.contains("<svg"), "the Graph switch shows the chart");
    let svg = between(&html, "<svg", "</svg>");
    for title in [
        "2021/08 – コピー: 5",
        "2021/08 – 受信: 0",
        "2021/08 – プリント: 450",
        "2021/08 – スキャン(Send): 15",
        "2021/08 – トータル1: 455",
        "2021/11 – プリント: 669",
    ] {
        assert!(svg.contains(&format!("<title>{title}</title>")), "{title}");
    }
    assert_eq!(
        svg.matches(r#"<rect class="segment""#).count(),
        4 * 4,
        "four months, four categories"
    );
    assert!(!svg.contains("両面"), "duplex is not drawn");
    assert!(
        svg.contains(r##"fill="#4e79a7""##),
        "colours are attributes"
    );
    assert!(html.contains("グラフには表示されません"));
    assert!(html.contains(r#"id="graph-toggle""#) && html.contains("グラフを閉じる"));
    // The table stays under the graph with the same numbers.
    assert_eq!(
        row(&html, "2021/08")[1..],
        strs(&["455", "5", "0", "450", "15", "130"])
    );

    // A period's graph has a bar per device with data, largest first.
    let period = web
        .page(&format!(
            "/counters/period/2021-08?{AUG_NOV}&view=paper&graph=1"
        ))
        .await;
    let svg = between(&period, "<svg", "</svg>");
    assert!(svg.contains("<title>本社 3F – A4: 421</title>"));
    assert_eq!(
        svg.matches(r#"<rect class="segment""#).count(),
        4,
        "device 1's four sizes"
    );
    let bars: Vec<&str> = svg.split(r#"<g class="bar">"#).skip(1).collect();
    assert_eq!(bars.len(), 3, "the spare device has no data");
    assert!(
        bars[0].contains("営業部") && bars[1].contains("Printer") && bars[2].contains("本社 3F")
    );
    // The counter tab has no graph.
    let counter = web
        .page(&format!(
            "/counters/period/2021-08?{AUG_NOV}&view=counter&graph=1"
        ))
        .await;
    assert!(!counter.contains("<svg") && !counter.contains("graph-toggle"));
}

#[tokio::test]
async fn sorting_by_any_heading_puts_dashes_last_and_keeps_the_total_row_first() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let names =
        |html: &str| -> Vec<String> { rows(html).into_iter().map(|r| r[0].clone()).collect() };
    let html = web
        .page(&format!("/counters?{AUG_NOV}&sort=total&dir=desc"))
        .await;
    assert_eq!(
        names(&html),
        strs(&["合計", "営業部", "本社 3F", "Printer", "Spare"])
    );
    assert!(html.contains(r#"aria-sort="descending""#));
    let html = web
        .page(&format!("/counters?{AUG_NOV}&sort=total&dir=asc"))
        .await;
    assert_eq!(
        names(&html),
        strs(&["合計", "Printer", "本社 3F", "営業部", "Spare"])
    );
    let html = web
        .page(&format!("/counters?{AUG_NOV}&sort=2021-09&dir=asc"))
        .await;
    assert_eq!(
        names(&html),
        strs(&["合計", "本社 3F", "Printer", "Spare", "営業部"])
    );
    let html = web
        .page(&format!("/counters?{AUG_NOV}&sort=location&dir=desc"))
        .await;
    assert_eq!(
        names(&html),
        strs(&["合計", "営業部", "本社 3F", "Printer", "Spare"]),
        "2F, 2F, 1F, none"
    );
    // The default is by name, as the CSV; a heading's link sorts by it, numbers largest first.
    let html = web.page(&format!("/counters?{AUG_NOV}")).await;
    // (Names compare as the CSV's: by code point, so 営 before 本.)
    assert_eq!(
        names(&html),
        strs(&["合計", "Printer", "Spare", "営業部", "本社 3F"])
    );
    assert!(html.contains(&format!(
        r#"href="/counters?{AUG_NOV}&group=all&class=mfp&sort=2021-08&dir=desc""#
    )));
    let period = web
        .page(&format!(
            "/counters/period/2021-08?{AUG_NOV}&sort=color&dir=desc"
        ))
        .await;
    assert_eq!(
        names(&period),
        strs(&["合計", "営業部", "本社 3F", "Printer", "Spare"])
    );
}

#[tokio::test]
async fn paging_shows_two_hundred_rows_and_keeps_the_totals_of_all_devices() {
    let f = fixture().await;
    let mut batch = Vec::new();
    for i in 0..205 {
        let serial = format!("BULK-{i:03}");
        f.app
            .device(&f.tenant, mfp(&serial, &format!("Bulk {i:03}")))
            .await;
        batch.push(json!({"serial": serial, "read_at": "2021-07-31T12:00:00+09:00", "counters": {"total1": 1000}}));
        batch.push(json!({"serial": serial, "read_at": "2021-08-15T12:00:00+09:00", "counters": {"total1": 1010}}));
    }
    let (status, body) = f
        .app
        .post("/api/v1/ingest/readings", &f.ingest, &json!(batch))
        .await;
    assert_eq!(status, 200, "{body}");
    let web = Web::login(&f.app, "yamada").await;
    let first = web
        .page(&format!("/counters?{AUG_NOV}&sort=total&dir=desc"))
        .await;
    let total = strs(&["合計", "", "", "15,244", "13,790", "377", "354", "723"]);
    assert_eq!(rows(&first).len(), 1 + 200);
    assert_eq!(rows(&first)[0], total);
    assert_eq!(rows(&first)[1][0], "営業部");
    assert!(first.contains("209 台中 1～200 台目"));
    let next = href(
        &first,
        "/counters?unit=month&from=2021-08&to=2021-11&kind=usage&group=all&class=mfp&sort=total&dir=desc&page=2",
    );
    let second = web.page(&next).await;
    assert_eq!(rows(&second).len(), 1 + 9);
    assert_eq!(
        rows(&second)[0],
        total,
        "the Total row covers every device on every page"
    );
    assert_eq!(
        rows(&second).last().unwrap()[0],
        "Spare",
        "the order goes on across pages"
    );
    assert!(second.contains("209 台中 201～209 台目"));
}

#[tokio::test]
async fn the_export_button_returns_the_csv_of_the_screen_with_the_same_numbers() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let html = web.page(&format!("/counters?{AUG_NOV}")).await;
    let form = between(&html, r#"id="export">"#, "</form>");
    let fields: Vec<String> = form
        .split(r#"<input type="hidden" name=""#)
        .skip(1)
        .map(|f| {
            let name = f.split('"').next().unwrap();
            let value = between(f, r#"value=""#, "\"");
            format!("{name}={value}")
        })
        .collect();
    let res = web
        .response(&format!(
            "/counters/export?{}&encoding=utf-8",
            fields.join("&")
        ))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}デバイス名,デバイス設置場所,グループ名,合計,2021-08"),
        "{csv}"
    );
    assert!(csv.contains("合計,,,13194,11740,377,354,723\r\n"), "{csv}");
    assert!(
        csv.contains("本社 3F,2F,,1909,455,377,354,723\r\n"),
        "{csv}"
    );

    // A tab of a device, in Shift_JIS, in the English user's language.
    let en = Web::login(&f.app, "smith").await;
    let res = en
        .response(&format!(
            "/counters/export?{AUG_NOV}&device={}&view=function&encoding=shift_jis&lang=ja",
            f.dev1
        ))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.bytes().await.unwrap();
    let (csv, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert!(
        csv.starts_with("Period,Total 1,Copy,Receive,Print,Scan (send),Duplex\r\n"),
        "{csv}"
    );
    assert!(csv.contains("2021-08,455,5,0,450,15,130\r\n"), "{csv}");

    // The form's own Export button sends its fields.
    let res = web
        .response("/counters/export?unit=month&mfrom=2021-08&mto=2021-11&dfrom=2021-08-01&dto=2021-10-31&kind=cumulative&group=all&class=mfp&encoding=utf-8")
        .await;
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains("本社 3F,2F,,178011,178388,178742,179465\r\n"),
        "{csv}"
    );
    // Wrong conditions go back to the form, which says why.
    let res = web
        .response("/counters/export?unit=month&from=2021-01&to=2022-01")
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

#[tokio::test]
async fn another_tenant_s_device_and_a_device_outside_the_selection_are_not_found() {
    let f = fixture().await;
    let other = f.app.tenant("Other", "Asia/Tokyo").await;
    let theirs = f.app.device(&other, mfp("OTHER-1", "theirs")).await;
    let web = Web::login(&f.app, "yamada").await;
    for path in [
        format!("/counters/device/{theirs}?{AUG_NOV}"),
        format!("/counters/device/{theirs}"),
        format!("/counters/device/{}?{AUG_NOV}&group={}", f.dev1, f.group),
        format!("/counters/device/{}?{AUG_NOV}&class=lfp", f.dev1),
        "/counters/device/abc".to_string(),
        "/counters/device/999999".to_string(),
        "/counters/period/2021-13".to_string(),
        format!("/counters/export?{AUG_NOV}&device={theirs}"),
    ] {
        let (status, html) = web.get(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("ページが見つかりません"), "{path}");
        assert!(!html.contains("theirs"));
    }
    // Their group is as unknown as a deleted one: a message, none of their data.
    let other_group = f
        .app
        .post(
            &format!("/api/v1/admin/tenants/{}/groups", other.id),
            OPERATOR_TOKEN,
            &json!({"name": "Theirs", "device_ids": [theirs]}),
        )
        .await
        .1["id"]
        .as_i64()
        .unwrap();
    let html = web
        .page(&format!("/counters?{AUG_NOV}&group={other_group}"))
        .await;
    assert!(html.contains("このグループは存在しません"));
    assert!(!html.contains("counters-table") && !html.contains("theirs"));
    // Not logged in: the login screen, which comes back here afterwards.
    let res = Browser::on(&f.app)
        .client
        .get(f.app.url(&format!("/counters?{AUG_NOV}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=/counters")
    );
}

#[tokio::test]
async fn large_format_printers_show_their_unit_and_decimals_without_tabs() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let html = web
        .page("/counters?unit=month&from=2021-08&to=2021-11&kind=cumulative&class=lfp")
        .await;
    assert_eq!(
        headings(&html)[..4],
        strs(&["デバイス名", "デバイス設置場所", "グループ名", "単位"])
    );
    assert_eq!(
        row(&html, "Plotter"),
        strs(&["Plotter", "", "", "A4換算枚数", "12.5", "-", "-", "-"])
    );
    // Its detail, reached without conditions (a link from the device screens).
    let html = web.page(&format!("/counters/device/{}", f.plotter)).await;
    assert!(html.contains("単位: <strong>A4換算枚数</strong>"));
    assert!(
        !html.contains(r#"class="tabs""#),
        "the five LFP counters are the same on every tab"
    );
    let html = web
        .page(&format!(
            "/counters/device/{}?{AUG_NOV}&class=lfp",
            f.plotter
        ))
        .await;
    assert_eq!(
        headings(&html),
        strs(&["期間", "トータル", "DUTY A", "DUTY B", "DUTY C", "DUTY D"])
    );
    assert_eq!(
        row(&html, "2021/08")[1..],
        strs(&["12.5*", "2.25", "-", "-", "-"])
    );
    assert_eq!(row(&html, "合計")[1..3], strs(&["12.5", "2.25"]));
}

#[tokio::test]
async fn the_pages_carry_no_inline_script_or_style() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    for path in [
        "/counters".to_string(),
        format!("/counters?{AUG_NOV}"),
        "/counters?unit=month&from=2021-01&to=2022-01".to_string(),
        format!("/counters/device/{}?{AUG_NOV}&view=paper&graph=1", f.dev1),
        format!("/counters/period/2021-08?{AUG_NOV}&view=color_mode&graph=1"),
    ] {
        let res = web.response(&path).await;
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!csp.contains("unsafe-inline"));
        let html = res.text().await.unwrap();
        assert!(!html.contains(" style="), "{path}: a style attribute");
        assert!(!html.contains("<style"), "{path}: a style element");
        for script in html.split("<script").skip(1) {
            assert!(
                script.trim_start().starts_with("src="),
                "{path}: an inline script"
            );
        }
        for at in html.match_indices(" on").map(|(i, _)| i + 3) {
            let name: String = html[at..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase())
                .collect();
            assert!(
                name.is_empty() || !html[at + name.len()..].starts_with('='),
                "{path}: an event handler on{name}"
            );
        }
    }
}
