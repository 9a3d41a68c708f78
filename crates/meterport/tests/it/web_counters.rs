//! The counter information screens through HTTP (SPEC S12-S20): the form and its limits, the
//! aggregate table, the device and period details with their tabs and graphs, sorting,
//! paging, the CSV export, tenant isolation, and markup that the CSP allows.
//!
//! The data is the seed manual's own first device (chapters 4 and 5: cumulative values at
//! the ends of July to November 2021, usage 455, 377, 354 and 723), with its paper-size,
//! colour-mode and function counters, so that the screens can be checked against the
//! manual's screenshots.

use crate::harness::web::{
    self, Browser, assert_absent, attr, attrs, checked, count, options, text, texts, value,
};
use crate::harness::{PASSWORD, TestApp, mfp, seed};
use meterport_store::tenants::Tenant;
use serde_json::json;
const AUG_NOV: &str = "unit=month&from=2021-08&to=2021-11&kind=usage";

struct Fixture {
    app: TestApp,
    tenant: Tenant,
    seed: seed::Fleet,
}

/// The seed's fleet ([`seed::acme`]) with all of device 1's counters, a spare device
/// without data, and users `yamada` (Japanese) and `smith` (English).
async fn fixture() -> Fixture {
    let (app, tenant, seed) = seed::acme(seed::KEYS.len()).await;
    let mut spare = mfp("SPARE-1", "Spare");
    spare["location"] = json!(null);
    app.device(&tenant, spare).await;
    for (name, lang) in [("yamada", "ja"), ("smith", "en")] {
        app.user(&tenant, name, Some(&format!("{name}@example.com")), lang)
            .await;
    }
    Fixture { app, tenant, seed }
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

    async fn page(&self, path: &str) -> String {
        self.browser.html(path).await
    }
}

/// The counter table's body rows, each as its cells' texts.
fn rows(html: &str) -> Vec<Vec<String>> {
    web::rows(html, "#counters-table tbody tr")
}

/// The row whose first cell starts with `name`.
fn row(html: &str, name: &str) -> Vec<String> {
    rows(html)
        .into_iter()
        .find(|r| r[0].starts_with(name))
        .unwrap_or_else(|| panic!("a row {name} in {:?}", rows(html)))
}

/// The counter table's column headings, without their sort arrows and links.
fn headings(html: &str) -> Vec<String> {
    texts(html, "#counters-table thead .label")
}

/// The first link whose address starts with `prefix`.
fn href(html: &str, prefix: &str) -> String {
    attrs(html, &format!("a[href^=\"{prefix}\"]"), "href")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("a link to {prefix}"))
}

/// The items of the line that sums up the conditions ("期間: 2021/08~2021/11"...).
fn summary(html: &str) -> Vec<String> {
    texts(html, ".summary-line .item")
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_counters_menu_opens_the_form_with_the_last_four_months_and_no_table() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let html = web.page("/counters").await;
    assert_eq!(text(&html, "main h1"), "カウンター情報");
    assert_eq!(
        text(&html, "nav.menu a[aria-current=\"page\"]"),
        "カウンター情報",
        "the menu entry is active"
    );
    // The clock stands at 2021-12-01: the months up to December, the days of November on.
    for (field, kind, shown) in [
        ("mfrom", "month", "2021-09"),
        ("mto", "month", "2021-12"),
        ("dfrom", "date", "2021-09-01"),
    ] {
        assert_eq!(value(&html, field), shown, "{field}");
        assert_eq!(attr(&html, &format!("#{field}"), "type"), kind, "{field}");
    }
    assert_eq!(checked(&html, "unit"), ["month"]);
    assert_eq!(checked(&html, "kind"), ["usage"]);
    let groups = options(&html, "#group");
    assert!(groups.contains(&(f.seed.group.to_string(), "Sales".to_string(), false)));
    assert!(
        groups
            .iter()
            .any(|(_, label, _)| label == "グループ未登録デバイス")
    );
    assert_eq!(text(&html, "#aggregate"), "集計");
    assert_eq!(attr(&html, "#reset", "href"), "/counters");
    assert_eq!(
        attr(&html, "#export-form", "formaction"),
        "/counters/export",
        "Export sends the form's conditions"
    );
    assert_eq!(
        count(&html, "#counters-table"),
        0,
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
            f.seed.group
        ))
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!(
            "/counters?unit=day&from=2021-08-01&to=2021-08-31&kind=cumulative&group={}&class=mfp",
            f.seed.group
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
        strs(&["合計", "", "", "12,294", "10,840", "377", "354", "723"]),
        "the Total row first, without the first reading's lifetime value"
    );
    assert_eq!(
        row(&html, "本社 3F"),
        strs(&["本社 3F", "2F", "", "1,909", "455", "377", "354", "723"])
    );
    assert_eq!(
        row(&html, "営業部"),
        strs(&["営業部", "2F", "Sales", "10,385", "10,385", "-", "-", "-"])
    );
    // The printer's first reading is in August: its usage is its counter, marked (C5), and
    // the totals leave it out unless asked.
    assert_eq!(
        row(&html, "Printer"),
        strs(&["Printer", "1F", "", "-", "900*", "-", "-", "-"])
    );
    let include = href(
        &html,
        "/counters?unit=month&from=2021-08&to=2021-11&kind=usage&group=all&class=mfp&oldest=include",
    );
    let with = web.page(&include).await;
    assert_eq!(
        rows(&with)[0],
        strs(&["合計", "", "", "13,194*", "11,740*", "377", "354", "723"]),
        "asked for, the totals add it and are marked"
    );
    assert_eq!(
        row(&with, "Printer"),
        strs(&["Printer", "1F", "", "900*", "900*", "-", "-", "-"])
    );
    assert_eq!(
        checked(&with, "oldest"),
        ["include"],
        "the form shows the choice"
    );
    assert!(checked(&html, "oldest").is_empty());
    assert!(
        texts(&with, ".table-notes p")
            .iter()
            .any(|n| n.contains("*印の合計には最古期間の値が含まれています")),
        "{:?}",
        texts(&with, ".table-notes p")
    );
    assert!(
        texts(&html, ".table-notes p")
            .iter()
            .any(|n| n.contains("差し引く前の値がないため")),
        "the mark is explained"
    );
    assert_eq!(
        row(&html, "Spare"),
        strs(&["Spare", "", "", "-", "-", "-", "-", "-"])
    );
    assert_eq!(
        rows(&html).len(),
        5,
        "large-format printers are another class"
    );
    // The conditions stay visible above the table, and editable.
    let conditions = summary(&html);
    assert!(
        conditions.contains(&"期間: 2021/08~2021/11".to_string()),
        "{conditions:?}"
    );
    assert!(
        conditions.contains(&"グループ: すべてのデバイス".to_string()),
        "{conditions:?}"
    );
    assert_eq!(value(&html, "mfrom"), "2021-08");
    assert_eq!(text(&html, "main h1"), "使用枚数 - カウンター集計(月単位)");

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
        .find(|d| d["id"] == f.seed.dev1)
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
    assert_eq!(count(&html, "#counters-table tr.total"), 0);
    assert_eq!(
        count(&html, "#counters-table .oldest"),
        0,
        "no usage, no mark"
    );
    // The month in progress (the clock is at 2021-12-01) says so.
    let html = web
        .page("/counters?unit=month&from=2021-11&to=2021-12&kind=cumulative")
        .await;
    assert_eq!(headings(&html)[4], "2021/12");
    assert_eq!(
        texts(&html, "#counters-table .now"),
        ["集計中"],
        "only December is in progress"
    );
    assert_eq!(
        text(&html, "#counters-table thead th:nth-child(5) .now"),
        "集計中"
    );
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
        assert_eq!(web::error_fields(&html), [field], "{query}");
        assert_eq!(web::field_error(&html, field), message, "{query}");
        assert_eq!(
            attr(&html, &format!("#error-{field}"), "role"),
            "alert",
            "{query}: announced"
        );
        assert_eq!(
            count(&html, "#counters-table"),
            0,
            "{query}: nothing aggregated"
        );
        // The field of the chosen unit is marked and points at its message.
        let unit = if query.starts_with("unit=day") {
            "d"
        } else {
            "m"
        };
        assert_eq!(
            attr(&html, &format!("#{unit}{field}"), "aria-invalid"),
            "true",
            "{query}"
        );
        assert_eq!(
            attrs(&html, "[aria-invalid=\"true\"]", "aria-describedby"),
            [format!("error-{field}")],
            "{query}"
        );
    }
    // What was typed stays in the field, to be corrected.
    let html = ja
        .page("/counters?unit=month&from=2021-01&to=2022-01")
        .await;
    assert_eq!(value(&html, "mto"), "2022-01");
    assert_eq!(
        count(&html, "details.conditions"),
        0,
        "the form is open, not folded"
    );
}

#[tokio::test]
async fn a_device_name_opens_its_detail_newest_first_under_a_total_row() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let table = web.page(&format!("/counters?{AUG_NOV}")).await;
    let link = href(&table, &format!("/counters/device/{}?", f.seed.dev1));
    assert!(
        link.contains("from=2021-08&to=2021-11"),
        "the conditions go along: {link}"
    );
    let html = web.page(&link).await;
    assert_eq!(
        text(&html, "main h1"),
        "使用枚数 - 指定デバイスのカウンター詳細(月単位)"
    );
    assert!(summary(&html).contains(&"デバイス名: 本社 3F".to_string()));
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
                f.seed.dev1
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
    assert!(
        href(&html, "/counters/period/2021-11?")
            .starts_with(&format!("/counters/period/2021-11?{AUG_NOV}")),
        "and to the month's detail"
    );
}

#[tokio::test]
async fn the_tabs_show_their_headings_in_japanese_and_english() {
    let f = fixture().await;
    let ja = Web::login(&f.app, "yamada").await;
    let en = Web::login(&f.app, "smith").await;
    let base = format!(
        "/counters/device/{}?{AUG_NOV}&group=all&class=mfp",
        f.seed.dev1
    );
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
        let current = attrs(&html, "nav.tabs a[aria-current]", "href");
        assert_eq!(current.len(), 1, "{view}: the current tab is marked");
        assert!(current[0].ends_with(&format!("view={view}")), "{current:?}");
    }
    let paper = ja.page(&format!("{base}&view=paper")).await;
    assert!(text(&paper, ".tab-note").contains("一覧に表示されていない用紙サイズ"));
    assert_eq!(attr(&paper, ".tab-note a", "href"), "/settings/paper-sizes");
    let function = en.page(&format!("{base}&view=function")).await;
    assert_eq!(
        text(&function, ".tab-note"),
        "Duplex pages are already included in Copy, Receive and Print. \
         Scan (send) is not part of Total 1."
    );
    // The tabs keep the conditions.
    assert!(attrs(&function, "nav.tabs a", "href").contains(&format!(
        "/counters/device/{}?{AUG_NOV}&group=all&class=mfp&oldest=exclude&view=paper",
        f.seed.dev1
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
        .page(&format!(
            "/counters/device/{}?{AUG_NOV}&view=paper",
            f.seed.dev1
        ))
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
    assert_eq!(
        text(&html, "main h1"),
        "使用枚数 - 指定月のカウンター詳細: 2021/08"
    );
    let all = rows(&html);
    assert_eq!(
        all[0][..5],
        strs(&["合計", "", "", "10,840", "2,513"]),
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
    assert_eq!(
        attr(
            &html,
            "#counters-table tbody th[title=\"営業部\"] a",
            "href"
        ),
        format!(
            "/counters/device/{}?{AUG_NOV}&group=all&class=mfp&oldest=exclude&view=counter",
            f.seed.dev2
        )
    );

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
    assert_eq!(
        attr(&days, "#counters-table thead th:nth-child(5)", "title"),
        "2021/08/01"
    );
    assert_eq!(row(&days, "営業部")[3], "10,385");
    assert_eq!(row(&days, "営業部")[4 + 19], "10,385", "on the 20th");
    assert_eq!(row(&days, "本社 3F")[4 + 30], "455", "on the 31st");
    assert!(text(&days, "main h1").ends_with("(日単位)"));
}

#[tokio::test]
async fn the_graph_draws_one_segment_per_category_with_its_value_and_no_duplex() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let base = format!("/counters/device/{}?{AUG_NOV}&view=function", f.seed.dev1);
    let plain = web.page(&base).await;
    assert_eq!(count(&plain, "#chart"), 0);
    let toggle = attr(&plain, "#graph-toggle", "href");
    assert!(toggle.ends_with("&view=function&graph=1"), "{toggle}");
    let html = web.page(&toggle).await;
    assert_eq!(
        count(&html, "#chart svg"),
        1,
        "the Graph switch shows the chart"
    );
    let titles = texts(&html, "#chart title");
    for title in [
        "2021/08 – コピー: 5",
        "2021/08 – 受信: 0",
        "2021/08 – プリント: 450",
        "2021/08 – スキャン(Send): 15",
        "2021/08 – トータル1: 455",
        "2021/11 – プリント: 669",
    ] {
        assert!(titles.iter().any(|t| t == title), "{title} in {titles:?}");
    }
    assert_eq!(
        count(&html, "#chart rect.segment"),
        4 * 4,
        "four months, four categories"
    );
    assert!(
        !text(&html, "#chart svg").contains("両面"),
        "duplex is not drawn"
    );
    assert!(
        attrs(&html, "#chart rect.segment", "fill").contains(&"#4e79a7".to_string()),
        "colours are attributes"
    );
    assert!(text(&html, "#chart figcaption").contains("グラフには表示されません"));
    assert_eq!(text(&html, "#graph-toggle"), "グラフを閉じる");
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
    assert!(texts(&period, "#chart rect.segment title").contains(&"本社 3F – A4: 421".to_string()));
    assert_eq!(
        count(&period, "#chart rect.segment"),
        4,
        "device 1's four sizes"
    );
    assert_eq!(
        texts(&period, "#chart g.bar > text:first-child"),
        ["営業部", "Printer", "本社 3F"],
        "a bar per device with data, largest first; the spare device has none"
    );
    // The counter tab has no graph.
    let counter = web
        .page(&format!(
            "/counters/period/2021-08?{AUG_NOV}&view=counter&graph=1"
        ))
        .await;
    assert_eq!(
        (count(&counter, "#chart"), count(&counter, "#graph-toggle")),
        (0, 0)
    );
}

#[tokio::test]
async fn sorting_by_any_heading_puts_dashes_last_and_keeps_the_total_row_first() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let names =
        |html: &str| -> Vec<String> { rows(html).into_iter().map(|r| r[0].clone()).collect() };
    // (address, rows in order, the heading marked as sorted and its direction)
    let cases = [
        (
            format!("/counters?{AUG_NOV}&sort=total&dir=desc"),
            ["合計", "営業部", "本社 3F", "Printer", "Spare"],
            ("合計", "descending"),
        ),
        (
            format!("/counters?{AUG_NOV}&sort=total&dir=asc"),
            ["合計", "本社 3F", "営業部", "Printer", "Spare"],
            ("合計", "ascending"),
        ),
        (
            format!("/counters?{AUG_NOV}&sort=2021-09&dir=asc"),
            ["合計", "本社 3F", "Printer", "Spare", "営業部"],
            ("2021/09", "ascending"),
        ),
        // 2F, 2F, 1F, none.
        (
            format!("/counters?{AUG_NOV}&sort=location&dir=desc"),
            ["合計", "営業部", "本社 3F", "Printer", "Spare"],
            ("デバイス設置場所", "descending"),
        ),
        // The default is by name, as the CSV's: by code point, so 営 before 本.
        (
            format!("/counters?{AUG_NOV}"),
            ["合計", "Printer", "Spare", "営業部", "本社 3F"],
            ("デバイス名", "ascending"),
        ),
        (
            format!("/counters/period/2021-08?{AUG_NOV}&sort=color&dir=desc"),
            ["合計", "営業部", "本社 3F", "Printer", "Spare"],
            ("カラー", "descending"),
        ),
    ];
    for (path, order, sorted) in cases {
        let html = web.page(&path).await;
        assert_eq!(names(&html), strs(&order), "{path}");
        let marked: Vec<(String, String)> = texts(&html, "#counters-table th[aria-sort] .label")
            .into_iter()
            .zip(attrs(&html, "#counters-table th[aria-sort]", "aria-sort"))
            .collect();
        let (label, dir) = sorted;
        assert_eq!(marked, [(label.to_string(), dir.to_string())], "{path}");
    }
    // A heading's link sorts by it, numbers largest first.
    let html = web.page(&format!("/counters?{AUG_NOV}")).await;
    assert!(
        attrs(&html, "#counters-table thead a", "href").contains(&format!(
            "/counters?{AUG_NOV}&group=all&class=mfp&oldest=exclude&sort=2021-08&dir=desc"
        ))
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
    f.app
        .ingest_ok("readings", &f.seed.ingest, &json!(batch))
        .await;
    let web = Web::login(&f.app, "yamada").await;
    let first = web
        .page(&format!("/counters?{AUG_NOV}&sort=total&dir=desc"))
        .await;
    let total = strs(&["合計", "", "", "14,344", "12,890", "377", "354", "723"]);
    assert_eq!(rows(&first).len(), 1 + 200);
    assert_eq!(rows(&first)[0], total);
    assert_eq!(rows(&first)[1][0], "営業部");
    assert_eq!(text(&first, "#count"), "209 台中 1～200 台目");
    let next = "/counters?unit=month&from=2021-08&to=2021-11&kind=usage&group=all&class=mfp&oldest=exclude&sort=total&dir=desc&page=2";
    assert!(attrs(&first, "nav.pager a", "href").contains(&next.to_string()));
    let second = web.page(next).await;
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
    assert_eq!(text(&second, "#count"), "209 台中 201～209 台目");
}

#[tokio::test]
async fn the_export_button_returns_the_csv_of_the_screen_with_the_same_numbers() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    let html = web.page(&format!("/counters?{AUG_NOV}")).await;
    let hidden = "#export input[type=\"hidden\"]";
    let fields: Vec<String> = attrs(&html, hidden, "name")
        .iter()
        .zip(attrs(&html, hidden, "value"))
        .map(|(name, value)| format!("{name}={value}"))
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
        csv.starts_with("\u{feff}デバイス名,デバイス設置場所,グループ名,合計,2021/08"),
        "{csv}"
    );
    assert!(
        csv.contains("合計,,,12294,10840,377,354,723,最古期間の値は含まない\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("本社 3F,2F,,1909,455,377,354,723,\r\n"),
        "{csv}"
    );

    // A tab of a device, in Shift_JIS, in the English user's language.
    let en = Web::login(&f.app, "smith").await;
    let res = en
        .response(&format!(
            "/counters/export?{AUG_NOV}&device={}&view=function&encoding=shift_jis&lang=ja",
            f.seed.dev1
        ))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.bytes().await.unwrap();
    let (csv, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad);
    assert!(
        csv.starts_with("Period,Total 1,Copy,Receive,Print,Scan (send),Duplex,Notes\r\n"),
        "{csv}"
    );
    assert!(csv.contains("Aug 2021,455,5,0,450,15,130,\r\n"), "{csv}");

    // The form's own Export button sends its fields.
    let res = web
        .response("/counters/export?unit=month&mfrom=2021-08&mto=2021-11&dfrom=2021-08-01&dto=2021-10-31&kind=cumulative&group=all&class=mfp&encoding=utf-8")
        .await;
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains("本社 3F,2F,,178011,178388,178742,179465,\r\n"),
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
        format!(
            "/counters/device/{}?{AUG_NOV}&group={}",
            f.seed.dev1, f.seed.group
        ),
        format!("/counters/device/{}?{AUG_NOV}&class=lfp", f.seed.dev1),
        "/counters/device/abc".to_string(),
        "/counters/device/999999".to_string(),
        "/counters/period/2021-13".to_string(),
        format!("/counters/export?{AUG_NOV}&device={theirs}"),
    ] {
        let page = web.browser.get(&path).await.expect(404, &path);
        assert_eq!(
            text(&page.html, "main h1"),
            "ページが見つかりません",
            "{path}"
        );
        assert_absent(&page.html, "theirs");
    }
    // Their group is as unknown as a deleted one: a message, none of their data.
    let other_group = f.app.api_group(other.id, "Theirs", &[theirs]).await;
    let html = web
        .page(&format!("/counters?{AUG_NOV}&group={other_group}"))
        .await;
    assert!(web::field_error(&html, "group").starts_with("このグループは存在しません"));
    assert_eq!(count(&html, "#counters-table"), 0);
    assert_absent(&html, "theirs");
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
        // A4-equivalent sheets are shown whole (12.5 rounds half away from zero).
        strs(&["Plotter", "", "", "A4換算枚数", "13", "-", "-", "-"])
    );
    // Its detail, reached without conditions (a link from the device screens).
    let html = web
        .page(&format!("/counters/device/{}", f.seed.plotter))
        .await;
    assert!(summary(&html).contains(&"単位: A4換算枚数".to_string()));
    assert_eq!(
        count(&html, "nav.tabs"),
        0,
        "the five LFP counters are the same on every tab"
    );
    let html = web
        .page(&format!(
            "/counters/device/{}?{AUG_NOV}&class=lfp",
            f.seed.plotter
        ))
        .await;
    assert_eq!(
        headings(&html),
        strs(&["期間", "トータル", "DUTY A", "DUTY B", "DUTY C", "DUTY D"])
    );
    assert_eq!(
        row(&html, "2021/08")[1..],
        // Each counter's first reading is marked (C5); sheets are shown whole.
        strs(&["13*", "2*", "-", "-", "-"])
    );
    // The totals leave the first readings out (the screens' default): nothing is left.
    assert_eq!(row(&html, "合計")[1..3], strs(&["-", "-"]));
}

#[tokio::test]
async fn the_pages_carry_no_inline_script_or_style() {
    let f = fixture().await;
    let web = Web::login(&f.app, "yamada").await;
    for path in [
        "/counters".to_string(),
        format!("/counters?{AUG_NOV}"),
        "/counters?unit=month&from=2021-01&to=2022-01".to_string(),
        format!(
            "/counters/device/{}?{AUG_NOV}&view=paper&graph=1",
            f.seed.dev1
        ),
        format!("/counters/period/2021-08?{AUG_NOV}&view=color_mode&graph=1"),
    ] {
        let res = web.response(&path).await;
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!csp.contains("unsafe-inline"));
        let html = res.text().await.unwrap();
        assert_eq!(web::inline_code(&html), Vec::<String>::new(), "{path}");
    }
}
