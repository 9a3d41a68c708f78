//! Numbers a budget owner can trust at a glance: totals that say whether they hold a first
//! reading's lifetime value (C5), incomplete months with the dates their readings cover,
//! counter resets (C6) with their day, empty ranges explained, and a CSV that is the table
//! on the screen: same rows in the same order, same headings, same numbers.

use serde_json::{Value, json};

use crate::harness::web::{self, Browser, assert_absent, attr, attrs, text, texts};
use crate::harness::{PASSWORD, TestApp, mfp};

struct Fleet {
    app: TestApp,
    read: String,
    /// Reports daily from April 1st and stops on May 14th.
    stops: i64,
    /// Reports daily; its board is replaced on May 20th (the counter restarts near zero).
    reset: i64,
    /// Reports daily from May 10th: its first reading is in May.
    late: i64,
}

/// A reading each day at noon, Tokyo time.
fn daily(
    serial: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    value: impl Fn(i64) -> i64,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut d = from;
    let mut n = 0;
    while d <= to {
        out.push(json!({
            "serial": serial,
            "read_at": format!("{d}T12:00:00+09:00"),
            "counters": {"total1": value(n), "color": value(n) / 4},
        }));
        d = d.tomorrow().unwrap();
        n += 1;
    }
    out
}

async fn fleet() -> Fleet {
    use jiff::civil::date;
    let app = TestApp::spawn().await;
    // 2025-12-07 00:00 UTC: the readings below are in the past, the retention keeps them.
    app.clock.set(1_765_065_600_000);
    // Two years kept: from 2023-12-01.
    let tenant = app
        .store
        .create_tenant("Honest", "Asia/Tokyo", Some(24), 1_765_065_600_000)
        .await
        .unwrap();
    let stops = app.device(&tenant, mfp("STOP-1", "倉庫 伝票 LBP 2")).await;
    let reset = app.device(&tenant, mfp("RESET-1", "本社 複合機")).await;
    let late = app.device(&tenant, mfp("LATE-1", "Annex MFP")).await;
    let group = app
        .group(&tenant, "経理部 本社", &[stops, reset, late])
        .await;
    assert!(group > 0);
    app.user(&tenant, "tanaka", Some("tanaka@example.com"), "ja")
        .await;
    app.user(&tenant, "smith", Some("smith@example.com"), "en")
        .await;
    let ingest = app.ingest_token(&tenant).await;
    let mut batch = daily("STOP-1", date(2025, 4, 1), date(2025, 5, 14), |n| {
        5000 + 100 * n
    });
    // 50 days of 200 pages, then a new board on May 20th that starts at 30.
    batch.extend(daily("RESET-1", date(2025, 4, 1), date(2025, 6, 30), |n| {
        if n < 49 {
            80_000 + 200 * n
        } else {
            30 + 200 * (n - 49)
        }
    }));
    batch.extend(daily("LATE-1", date(2025, 5, 10), date(2025, 6, 30), |n| {
        2_000_000 + 50 * n
    }));
    app.ingest_ok("readings", &ingest, &json!(batch)).await;
    let read = app.read_token(&tenant).await;
    Fleet {
        app,
        read,
        stops,
        reset,
        late,
    }
}

fn device(body: &Value, id: i64) -> &Value {
    body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("device {id} in {body}"))
}

const RANGE: &str = "unit=month&from=2025-04&to=2025-06";

#[tokio::test]
async fn the_api_says_which_totals_hold_lifetimes_which_months_are_incomplete_and_when_counters_reset()
 {
    let f = fleet().await;
    let (status, body) = f
        .app
        .get(&format!("/api/v1/counters?{RANGE}"), &f.read)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["oldest"], "include",
        "the API's default, as §7 adds every value"
    );

    let stops = device(&body, f.stops);
    assert_eq!(
        stops["incomplete"],
        json!({"2025-05": {"from": "2025-05-01", "to": "2025-05-14"}}),
        "May stops half-way; April is whole"
    );
    assert_eq!(stops["resets"], json!([]));
    assert_eq!(stops["includes_oldest"], true, "April is its first reading");

    let reset = device(&body, f.reset);
    assert_eq!(
        reset["resets"],
        json!([{"period": "2025-05", "date": "2025-05-20", "keys": ["total1", "color"]}])
    );
    assert_eq!(reset["incomplete"], json!({}));
    // May: 18 days of 200 up to the 19th, then 30 from zero and 11 days of 200.
    assert_eq!(
        reset["periods"]["2025-05"]["total1"],
        19 * 200 + 30 + 11 * 200
    );

    let late = device(&body, f.late);
    assert_eq!(late["oldest"], json!(["2025-05"]));
    assert_eq!(late["periods"]["2025-05"]["total1"], 2_000_000 + 50 * 21);
    assert_eq!(late["includes_oldest"], true);
    assert_eq!(body["total"]["includes_oldest"], true);

    // Left out: the first readings' lifetimes leave the totals, the cells keep them.
    let (_, without) = f
        .app
        .get(&format!("/api/v1/counters?{RANGE}&oldest=exclude"), &f.read)
        .await;
    let late_without = device(&without, f.late);
    assert_eq!(
        late_without["periods"]["2025-05"]["total1"],
        2_000_000 + 50 * 21
    );
    assert_eq!(late_without["total"]["total1"], 50 * 30, "June only");
    assert_eq!(late_without["includes_oldest"], false);
    assert_eq!(without["total"]["includes_oldest"], false);
    let grand = |b: &Value| b["total"]["total"]["total1"].as_i64().unwrap();
    let lifetimes: i64 = [f.stops, f.reset, f.late]
        .iter()
        .map(|id| {
            let d = device(&body, *id);
            d["oldest"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    d["periods"][p.as_str().unwrap()]["total1"]
                        .as_i64()
                        .unwrap()
                })
                .sum::<i64>()
        })
        .sum();
    assert_eq!(grand(&body) - grand(&without), lifetimes);

    let (status, bad) = f
        .app
        .get(&format!("/api/v1/counters?{RANGE}&oldest=maybe"), &f.read)
        .await;
    assert_eq!(status, 422);
    assert_eq!(bad["error"]["details"][0]["field"], "oldest", "{bad}");
}

#[tokio::test]
async fn a_query_can_ask_for_only_the_counters_it_needs() {
    let f = fleet().await;
    let (status, body) = f
        .app
        .get(&format!("/api/v1/counters?{RANGE}&keys=total1"), &f.read)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["keys"], json!(["total1"]));
    let reset = device(&body, f.reset);
    assert_eq!(
        reset["periods"]["2025-04"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["total1"]
    );
    assert_eq!(reset["total"].as_object().unwrap().len(), 1);
    // The same numbers as the full answer.
    let (_, full) = f
        .app
        .get(&format!("/api/v1/counters?{RANGE}"), &f.read)
        .await;
    assert_eq!(
        reset["periods"]["2025-05"]["total1"],
        device(&full, f.reset)["periods"]["2025-05"]["total1"]
    );
    assert_eq!(
        body["total"]["total"]["total1"],
        full["total"]["total"]["total1"]
    );
    // Resets of counters not asked for are not reported.
    assert_eq!(reset["resets"][0]["keys"], json!(["total1"]));

    let (status, refused) = f
        .app
        .get(
            &format!("/api/v1/counters?{RANGE}&keys=total1,toner,duty_a"),
            &f.read,
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["details"][0]["field"], "keys");
    assert!(
        refused["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("toner, duty_a"),
        "{refused}"
    );
    let csv = f
        .app
        .get_raw(
            &format!("/api/v1/counters.csv?{RANGE}&keys=color&device={}", f.reset),
            &f.read,
        )
        .await;
    assert_eq!(csv.status().as_u16(), 200);

    // A client that accepts gzip gets the same answer compressed; one that does not, plain.
    let path = format!("/api/v1/counters?{RANGE}");
    let asked = f
        .app
        .client
        .get(f.app.url(&path))
        .bearer_auth(&f.read)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status().as_u16(), 200);
    assert_eq!(asked.headers()["content-encoding"], "gzip");
    let packed = asked.bytes().await.unwrap();
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )
    .unwrap();
    let read: serde_json::Value = serde_json::from_slice(&unpacked).unwrap();
    assert_eq!(read, full);
    assert!(
        packed.len() * 4 < unpacked.len(),
        "{} of {}",
        packed.len(),
        unpacked.len()
    );
    let plain = f.app.get_raw(&path, &f.read).await;
    assert!(plain.headers().get("content-encoding").is_none());
}

/// The numbers of a page's table as text, marks and separators removed.
fn plain(cell: &str) -> String {
    cell.trim_end_matches(['*', '†', '↺']).replace(',', "")
}

#[tokio::test]
async fn the_csv_is_the_table_on_the_screen_in_its_order_with_its_headings_and_numbers() {
    let f = fleet().await;
    let browser = Browser::on(&f.app);
    browser.login("tanaka", PASSWORD).await;
    let page = browser
        .html(&format!(
            "/counters?{RANGE}&kind=usage&oldest=include&sort=2025-05&dir=desc"
        ))
        .await;
    let screen = web::rows(&page, "#counters-table tbody tr");
    let headings = texts(&page, "#counters-table thead .label");
    assert_eq!(headings[4..], ["2025/04", "2025/05", "2025/06"]);

    // The page's own Export form.
    let hidden = "#export input[type=\"hidden\"]";
    let fields: Vec<String> = attrs(&page, hidden, "name")
        .iter()
        .zip(attrs(&page, hidden, "value"))
        .map(|(name, value)| format!("{name}={}", urlencoding(&value)))
        .collect();
    let res = browser
        .client
        .get(format!(
            "{}/counters/export?{}&encoding=utf-8",
            browser.base,
            fields.join("&")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    let text_body = res.text().await.unwrap();
    let file: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text_body.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();

    assert_eq!(
        file[0][..headings.len()],
        headings[..],
        "headings as on screen"
    );
    assert_eq!(file[0].last().unwrap(), "備考");
    assert_eq!(file.len() - 1, screen.len(), "every row of the screen");
    for (line, (got, shown)) in file[1..].iter().zip(&screen).enumerate() {
        let cells: Vec<String> = shown.iter().map(|c| plain(c)).collect();
        assert_eq!(
            got[..cells.len()],
            cells[..],
            "line {} is the screen's row",
            line + 2
        );
        // A spreadsheet reads every value as a number.
        for value in &got[3..cells.len()] {
            assert!(value == "-" || value.parse::<f64>().is_ok(), "{value}");
        }
    }
    // Sorted by May, largest first, as on screen: the first reading's lifetime, then the
    // device that stopped and the one reset.
    let names: Vec<&str> = file[2..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["Annex MFP", "本社 複合機", "倉庫 伝票 LBP 2"]);
    // The marks, as notes.
    let notes = |name: &str| {
        file.iter()
            .find(|r| r[0] == name)
            .unwrap()
            .last()
            .unwrap()
            .clone()
    };
    assert!(
        notes("倉庫 伝票 LBP 2").contains("2025/05: 読み取りは 2025/05/01 ～ 2025/05/14 のみ"),
        "{}",
        notes("倉庫 伝票 LBP 2")
    );
    assert!(
        notes("Annex MFP").contains("2025/05: 最古期間"),
        "{}",
        notes("Annex MFP")
    );
    assert_eq!(notes("合計"), "最古期間の値（積算値）を含む");
    assert!(
        disposition.contains("filename=\"counters_usage_month_2025-04_2025-06.csv\""),
        "{disposition}"
    );

    // A group's name is in the file name, encoded.
    let group_page = browser.html(&format!("/counters?{RANGE}")).await;
    let group_id = web::options(&group_page, "#group")
        .into_iter()
        .find(|(_, label, _)| label == "経理部 本社")
        .unwrap()
        .0;
    let res = browser
        .client
        .get(format!(
            "{}/counters/export?{RANGE}&group={group_id}&encoding=utf-8",
            browser.base
        ))
        .send()
        .await
        .unwrap();
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains(&format!(
            "filename=\"counters_usage_month_2025-04_2025-06_group-{group_id}.csv\""
        )),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''counters_usage_month_2025-04_2025-06_%E7%B5%8C%E7%90%86%E9%83%A8-%E6%9C%AC%E7%A4%BE.csv"),
        "{disposition}"
    );
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn the_screens_mark_totals_incomplete_months_and_resets_and_say_why_a_range_is_empty() {
    let f = fleet().await;
    let browser = Browser::on(&f.app);
    browser.login("tanaka", PASSWORD).await;

    // The screens' default: first readings stay out of the totals, and say so.
    let page = browser.html(&format!("/counters?{RANGE}")).await;
    let notes = texts(&page, ".table-notes p");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("合計には最古期間の値を含めていません")),
        "{notes:?}"
    );
    let may_stop = attr(&page, "#counters-table tbody sup.incomplete", "title");
    assert_eq!(may_stop, "読み取りは 2025/05/01 ～ 2025/05/14 のみ");

    // Cumulative: the drop of the new board is explained with its day.
    let cumulative = browser
        .html(&format!("/counters?{RANGE}&kind=cumulative"))
        .await;
    assert_eq!(
        attr(&cumulative, "#counters-table tbody sup.reset", "title"),
        "2025/05/20 にカウンターリセット"
    );
    assert!(
        texts(&cumulative, ".table-notes p")
            .iter()
            .any(|n| n.starts_with("↺"))
    );

    // The device's detail lists them by date, in English too.
    let en = Browser::on(&f.app);
    en.login("smith", PASSWORD).await;
    let detail = en
        .html(&format!("/counters/device/{}?{RANGE}", f.reset))
        .await;
    let notes = texts(&detail, ".table-notes p");
    assert!(
        notes.iter().any(|n| n.starts_with("↺ counter reset on")
            && n.contains("20")
            && n.contains("(Total 1, Colo")),
        "{notes:?}"
    );
    let detail = en
        .html(&format!("/counters/device/{}?{RANGE}", f.stops))
        .await;
    let notes = texts(&detail, ".table-notes p");
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("† May 2025: readings cover") && n.contains("14")),
        "{notes:?}"
    );

    // Empty ranges say why.
    for (range, says) in [
        (
            "unit=month&from=2025-01&to=2025-03",
            "最初の読み取りは 2025/04/01",
        ),
        (
            "unit=month&from=2030-01&to=2030-03",
            "この期間はまだ始まっていません",
        ),
        (
            "unit=month&from=2020-01&to=2020-03",
            "読み取り値は 2023/12/01 から保持",
        ),
    ] {
        let page = browser.html(&format!("/counters?{range}")).await;
        assert!(
            text(&page, "#table-empty").contains(says),
            "{range}: {}",
            text(&page, "#table-empty")
        );
    }
    // A range reaching back before what is kept says from when data is kept.
    let page = browser
        .html("/counters?unit=month&from=2023-06&to=2024-05")
        .await;
    assert!(
        texts(&page, ".table-notes p")
            .iter()
            .any(|n| n.contains("読み取り値は 2023/12/01 から保持しています")),
        "{:?}",
        texts(&page, ".table-notes p")
    );
    let page = browser.html(&format!("/counters?{RANGE}")).await;
    assert_absent(&page, "id=\"table-empty\"");
}

/// The marks in a real browser, at a desk and on a phone, in Japanese and English: the
/// first-reading box, the incomplete and reset marks with their dates on hover, the empty
/// range's word; nothing wider than the window.
#[tokio::test]
async fn the_marks_read_well_in_a_browser_on_a_desk_and_a_phone() {
    use crate::harness::chromium::{Browser as Chromium, DESKTOP, PHONE};
    let f = fleet().await;
    for (user, lang, test) in [("tanaka", "ja", "honest-ja"), ("smith", "en", "honest-en")] {
        let mut b = Chromium::start(test, &f.app.base).await;
        b.log_in(user, PASSWORD).await;
        for (size, screen) in [(DESKTOP, "1280"), (PHONE, "390")] {
            b.viewport(size).await;
            b.goto(&format!("/counters?{RANGE}&kind=usage")).await;
            assert!(b.exists("sup.incomplete").await);
            let hover = b.attrs("sup.incomplete", "title").await;
            assert!(hover[0].contains("2025"), "{hover:?}");
            assert!(
                b.exists("#oldest").await,
                "the box that puts lifetimes into totals"
            );
            b.assert_fits_width(&format!("usage {lang} {screen}")).await;
            b.screenshot(&format!("usage-{lang}-{screen}")).await;
            b.goto(&format!("/counters?{RANGE}&kind=cumulative")).await;
            assert!(b.exists("sup.reset").await);
            b.screenshot(&format!("cumulative-{lang}-{screen}")).await;
            b.goto(&format!(
                "/counters/device/{}?{RANGE}&kind=cumulative",
                f.reset
            ))
            .await;
            assert!(b.text(".table-notes").await.contains('↺'));
            b.screenshot(&format!("device-reset-{lang}-{screen}")).await;
            b.goto("/counters?unit=month&from=2030-01&to=2030-03").await;
            assert!(!b.text("#table-empty").await.is_empty());
            b.screenshot(&format!("future-{lang}-{screen}")).await;
        }
        b.check_console().await;
        b.close().await;
    }
}
