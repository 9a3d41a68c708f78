//! The CSV export (SPEC S19, §7 `/api/v1/counters.csv`) through the front door: every
//! layout and tab, both languages, both encodings, the Total row, "-" for what is missing,
//! formula neutralisation, file names, tenant isolation, and the same numbers as the JSON API
//! (C8).
//!
//! The fleet is the seed manual's: device 1 has chapter 4's monthly usage (Total 1 455, 377,
//! 354, 723; its Function tab is the seed's table cell for cell), device 2 (an LBP, no copy
//! counter) has chapter 4's second row and no reading in October, and a third device has
//! never reported.

use std::collections::HashMap;

use crate::harness::{TestApp, each, lfp, mfp};
use meterport_domain::counters::{DeviceClass, Key};
use meterport_portal::i18n::{Lang, counter_label};
use meterport_store::tenants::Tenant;
use serde_json::{Value, json};

const MONTH_ENDS: [&str; 5] = [
    "2021-07-31T18:00:00+09:00",
    "2021-08-31T18:00:00+09:00",
    "2021-09-30T18:00:00+09:00",
    "2021-10-31T18:00:00+09:00",
    "2021-11-30T18:00:00+09:00",
];

/// Device 1's cumulative values at the month ends of July to November 2021. Total 1 and the
/// Function counters are the seed's; the others are chosen so that the seed's relations (C2)
/// hold and the seed's monthly usage comes out.
const DEVICE1: [(&str, [i64; 5]); 18] = [
    ("total1", [177556, 178011, 178388, 178742, 179465]),
    ("color", [61836, 61919, 61950, 62021, 62089]),
    ("mono", [115720, 116092, 116438, 116721, 117376]),
    ("scan", [13000, 13020, 13041, 13056, 13126]),
    ("color_large", [500, 500, 500, 500, 502]),
    ("color_small", [61336, 61419, 61450, 61521, 61587]),
    ("color_copy", [1200, 1200, 1200, 1200, 1200]),
    ("color_print", [60636, 60719, 60750, 60821, 60889]),
    ("mono_copy", [5189, 5194, 5195, 5199, 5253]),
    ("mono_print", [110531, 110898, 111243, 111522, 112123]),
    ("copy", [6389, 6394, 6395, 6399, 6453]),
    ("receive", [7197, 7197, 7197, 7197, 7197]),
    ("print", [163970, 164420, 164796, 165146, 165815]),
    ("scan_send", [13214, 13229, 13248, 13258, 13275]),
    ("duplex", [50708, 50838, 50921, 51027, 51264]),
    ("paper_a3", [10000, 10034, 10061, 10075, 10088]),
    ("paper_a4", [167556, 167977, 168327, 168667, 169377]),
    ("paper_b4", [0, 0, 0, 0, 0]),
];

/// Device 2 (a mono LBP): Total 1, mono and print only, and nothing in October.
const DEVICE2: [Option<i64>; 5] = [Some(500000), Some(510385), Some(520238), None, Some(534890)];

const MONTHS: &str = "unit=month&from=2021-08&to=2021-11";

struct Fleet {
    app: TestApp,
    tenant: Tenant,
    read: String,
    ingest: String,
    d1: i64,
    d2: i64,
}

async fn fleet() -> Fleet {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Seed", "Asia/Tokyo").await;
    let mut json1 = mfp("SEED-0001", "本社 複合機 1");
    json1["location"] = json!("2F 東");
    let d1 = app.device(&tenant, json1).await;
    let mut json2 = mfp("SEED-0002", "経理 LBP");
    json2["device_type"] = json!("mono_lbp");
    json2["location"] = json!("3F");
    let d2 = app.device(&tenant, json2).await;
    let mut json3 = mfp("SEED-0003", "Annex MFP");
    json3["location"] = json!("1F");
    app.device(&tenant, json3).await;
    app.group(&tenant, "営業部", &[d1]).await;

    let mut batch = Vec::new();
    for (month, at) in MONTH_ENDS.iter().enumerate() {
        let counters: serde_json::Map<String, Value> = DEVICE1
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v[month])))
            .collect();
        batch.push(json!({"serial": "SEED-0001", "read_at": at, "counters": counters}));
        if let Some(v) = DEVICE2[month] {
            batch.push(json!({"serial": "SEED-0002", "read_at": at,
                "counters": {"total1": v, "mono": v, "print": v}}));
        }
    }
    let ingest = app.ingest_token(&tenant).await;
    app.ingest_ok("readings", &ingest, &json!(batch)).await;
    let read = app.read_token(&tenant).await;
    Fleet {
        app,
        tenant,
        read,
        ingest,
        d1,
        d2,
    }
}

impl Fleet {
    /// The CSV export of `query`, read with the tenant's read token.
    async fn csv(&self, query: &str) -> Csv {
        get_csv(&self.app, &self.read, query).await
    }
}

/// A CSV answer: status, headers, body bytes.
struct Csv {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

impl Csv {
    /// The body as UTF-8 text without its byte-order mark.
    fn text(&self) -> String {
        let text = String::from_utf8(self.bytes.clone()).expect("UTF-8");
        text.strip_prefix('\u{feff}')
            .expect("a UTF-8 export starts with a BOM")
            .to_string()
    }

    /// The rows without their last column, Notes (read with [`Csv::notes`]).
    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = parse(&self.text());
        for row in &mut rows {
            row.pop();
        }
        rows
    }

    /// The Notes column, the last of every row.
    fn notes(&self) -> Vec<String> {
        parse(&self.text())
            .into_iter()
            .map(|mut r| r.pop().unwrap_or_default())
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).expect("a JSON error")
    }
}

fn parse(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

async fn get_csv(app: &TestApp, token: &str, query: &str) -> Csv {
    let res = app
        .get_raw(&format!("/api/v1/counters.csv?{query}"), token)
        .await;
    let header = |name| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let disposition = header(reqwest::header::CONTENT_DISPOSITION);
    let status = res.status().as_u16();
    let bytes = res.bytes().await.unwrap().to_vec();
    Csv {
        status,
        content_type,
        disposition,
        bytes,
    }
}

/// Rows as written in a test: string slices.
fn rows(expected: &[&[&str]]) -> Vec<Vec<String>> {
    expected
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

// ---- S13: the aggregate table

#[tokio::test]
async fn the_usage_table_has_its_total_row_first_and_devices_by_name() {
    let f = fleet().await;

    let csv = f.csv(&format!("{MONTHS}&kind=usage")).await;

    assert_eq!(csv.status, 200, "{}", String::from_utf8_lossy(&csv.bytes));
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    #[rustfmt::skip]
    let expected = rows(&[
        &["デバイス名", "デバイス設置場所", "グループ名", "合計", "2021/08", "2021/09", "2021/10", "2021/11"],
        &["合計", "", "", "36799", "10840", "10230", "354", "15375"],
        &["Annex MFP", "1F", "", "-", "-", "-", "-", "-"],
        &["本社 複合機 1", "2F 東", "営業部", "1909", "455", "377", "354", "723"],
        // No reading in October: "-", and October's pages land in November (C4).
        &["経理 LBP", "3F", "", "34890", "10385", "9853", "-", "14652"],
    ]);
    assert_eq!(csv.rows(), expected);
    // The marks of the screen are notes in a last column; nothing to note here.
    assert_eq!(csv.notes(), ["備考", "", "", "", ""]);
}

#[tokio::test]
async fn the_usage_table_in_english_has_english_headings() {
    let f = fleet().await;

    let csv = f.csv(&format!("{MONTHS}&lang=en")).await;

    let rows = csv.rows();
    assert_eq!(
        rows[0],
        [
            "Device name",
            "Location",
            "Group",
            "Total",
            "Aug 2021",
            "Sep 2021",
            "Oct 2021",
            "Nov 2021"
        ]
    );
    assert_eq!(rows[1][0], "Total");
}

#[tokio::test]
async fn a_cumulative_table_has_neither_a_total_row_nor_a_total_column() {
    let f = fleet().await;

    let csv = f.csv(&format!("{MONTHS}&kind=cumulative&lang=en")).await;

    #[rustfmt::skip]
    let expected = rows(&[
        &["Device name", "Location", "Group", "Aug 2021", "Sep 2021", "Oct 2021", "Nov 2021"],
        &["Annex MFP", "1F", "", "-", "-", "-", "-"],
        &["本社 複合機 1", "2F 東", "営業部", "178011", "178388", "178742", "179465"],
        &["経理 LBP", "3F", "", "510385", "520238", "-", "534890"],
    ]);
    assert_eq!(csv.rows(), expected);
}

#[tokio::test]
async fn a_daily_table_has_one_column_per_day() {
    let f = fleet().await;

    let csv = f
        .csv("unit=day&from=2021-08-30&to=2021-09-01&kind=cumulative")
        .await;

    let rows = csv.rows();
    assert_eq!(rows[0][3..], ["2021/08/30", "2021/08/31", "2021/09/01"]);
    assert_eq!(rows[2][3..], ["-", "178011", "-"]);
    assert!(
        csv.disposition
            .contains("filename=\"counters_cumulative_day_2021-08-30_2021-09-01.csv\""),
        "{}",
        csv.disposition
    );
}

// ---- S16: one device over the periods

#[tokio::test]
async fn the_function_tab_of_a_device_is_the_seed_s_table() {
    let f = fleet().await;

    let csv = f
        .csv(&format!("{MONTHS}&device={}&view=function", f.d1))
        .await;

    assert_eq!(csv.status, 200, "{}", String::from_utf8_lossy(&csv.bytes));
    // Seed chapter 4-2-3, cell for cell.
    #[rustfmt::skip]
    let expected = rows(&[
        &["期間", "トータル1", "コピー", "受信", "プリント", "スキャン(Send)", "両面"],
        &["合計", "1909", "64", "0", "1845", "61", "556"],
        &["2021/11", "723", "54", "0", "669", "17", "237"],
        &["2021/10", "354", "4", "0", "350", "10", "106"],
        &["2021/09", "377", "1", "0", "376", "19", "83"],
        &["2021/08", "455", "5", "0", "450", "15", "130"],
    ]);
    assert_eq!(csv.rows(), expected);
}

#[tokio::test]
async fn each_tab_of_a_device_shows_its_own_counters_in_both_languages() {
    let f = fleet().await;
    let device = format!("{MONTHS}&device={}", f.d1);

    let counter = f.csv(&format!("{device}&view=counter")).await;
    let paper = f.csv(&format!("{device}&view=paper&lang=en")).await;
    let color = f.csv(&format!("{device}&view=color_mode")).await;
    let counter_en = f.csv(&format!("{device}&lang=en")).await;

    // The device never reported mono large/small: "-" (S20).
    #[rustfmt::skip]
    let expected = rows(&[
        &["期間", "トータル1", "カラー", "白黒", "スキャン", "カラー(ラージ)", "カラー(スモール)", "白黒(ラージ)", "白黒(スモール)"],
        &["合計", "1909", "253", "1656", "126", "2", "251", "-", "-"],
        &["2021/11", "723", "68", "655", "70", "2", "66", "-", "-"],
    ]);
    assert_eq!(counter.rows()[..3], expected);
    // The tenant's default sizes A3, A4, B4, B5; B5 was never reported.
    #[rustfmt::skip]
    let expected = rows(&[
        &["Period", "Total 1", "A3", "A4", "B4", "B5"],
        &["Total", "1909", "88", "1821", "0", "-"],
        &["Nov 2021", "723", "13", "710", "0", "-"],
        &["Oct 2021", "354", "14", "340", "0", "-"],
        &["Sep 2021", "377", "27", "350", "0", "-"],
        &["Aug 2021", "455", "34", "421", "0", "-"],
    ]);
    assert_eq!(paper.rows(), expected);
    #[rustfmt::skip]
    let expected = rows(&[
        &["期間", "トータル1", "カラーコピー", "カラープリント", "白黒コピー", "白黒プリント"],
        &["合計", "1909", "0", "253", "64", "1592"],
    ]);
    assert_eq!(color.rows()[..2], expected);
    assert_eq!(
        counter_en.rows()[0],
        [
            "Period",
            "Total 1",
            "Colour",
            "Mono",
            "Scan",
            "Colour (large)",
            "Colour (small)",
            "Mono (large)",
            "Mono (small)"
        ]
    );
}

#[tokio::test]
async fn an_lbp_without_a_copy_counter_shows_dashes_and_a_month_without_readings_too() {
    let f = fleet().await;

    let csv = f
        .csv(&format!("{MONTHS}&device={}&view=function&lang=en", f.d2))
        .await;

    #[rustfmt::skip]
    let expected = rows(&[
        &["Period", "Total 1", "Copy", "Receive", "Print", "Scan (send)", "Duplex"],
        &["Total", "34890", "-", "-", "34890", "-", "-"],
        &["Nov 2021", "14652", "-", "-", "14652", "-", "-"],
        &["Oct 2021", "-", "-", "-", "-", "-", "-"],
        &["Sep 2021", "9853", "-", "-", "9853", "-", "-"],
        &["Aug 2021", "10385", "-", "-", "10385", "-", "-"],
    ]);
    assert_eq!(csv.rows(), expected);
}

#[tokio::test]
async fn a_device_in_one_period_is_one_row_under_its_total() {
    let f = fleet().await;

    let usage = f
        .csv(&format!("period=2021-09&device={}&view=function", f.d1))
        .await;
    let cumulative = f
        .csv(&format!(
            "period=2021-09&device={}&view=function&kind=cumulative",
            f.d1
        ))
        .await;

    #[rustfmt::skip]
    let expected = rows(&[
        &["合計", "377", "1", "0", "376", "19", "83"],
        &["2021/09", "377", "1", "0", "376", "19", "83"],
    ]);
    assert_eq!(usage.rows()[1..], expected);
    assert_eq!(
        cumulative.rows()[1..],
        rows(&[&[
            "2021/09", "178388", "6395", "7197", "164796", "13248", "50921"
        ]])
    );
}

// ---- S17: one period for every device

#[tokio::test]
async fn a_period_detail_lists_every_device_by_name_under_the_total_row() {
    let f = fleet().await;

    let csv = f.csv("period=2021-08&view=counter").await;

    #[rustfmt::skip]
    let expected = rows(&[
        &["デバイス名", "デバイス設置場所", "グループ名", "トータル1", "カラー", "白黒", "スキャン", "カラー(ラージ)", "カラー(スモール)", "白黒(ラージ)", "白黒(スモール)"],
        &["合計", "", "", "10840", "83", "10757", "20", "0", "83", "-", "-"],
        &["Annex MFP", "1F", "", "-", "-", "-", "-", "-", "-", "-", "-"],
        &["本社 複合機 1", "2F 東", "営業部", "455", "83", "372", "20", "0", "83", "-", "-"],
        &["経理 LBP", "3F", "", "10385", "-", "10385", "-", "-", "-", "-", "-"],
    ]);
    assert_eq!(csv.rows(), expected);
}

#[tokio::test]
async fn a_cumulative_day_of_the_paper_tab_has_no_total_row() {
    let f = fleet().await;

    let csv = f
        .csv("period=2021-08-31&kind=cumulative&view=paper&lang=en")
        .await;

    #[rustfmt::skip]
    let expected = rows(&[
        &["Device name", "Location", "Group", "Total 1", "A3", "A4", "B4", "B5"],
        &["Annex MFP", "1F", "", "-", "-", "-", "-", "-"],
        &["本社 複合機 1", "2F 東", "営業部", "178011", "10034", "167977", "0", "-"],
        &["経理 LBP", "3F", "", "510385", "-", "-", "-", "-"],
    ]);
    assert_eq!(csv.rows(), expected);
    assert!(
        csv.disposition
            .contains("filename=\"counters_cumulative_day_2021-08-31_paper.csv\""),
        "{}",
        csv.disposition
    );
}

#[tokio::test]
async fn the_paper_tab_lists_the_tenant_s_sizes_in_the_setting_s_order() {
    let f = fleet().await;
    f.app
        .store
        .set_paper_sizes(f.tenant.id, &["letter", "a4", "a3"])
        .await
        .unwrap();

    let csv = f.csv("period=2021-08&view=paper&lang=en").await;

    let rows = csv.rows();
    assert_eq!(
        rows[0][3..],
        ["Total 1", "A3", "A4", "Letter"],
        "Total 1 first, then S21's order"
    );
    assert_eq!(rows[3][3..], ["455", "34", "421", "-"]);
}

// ---- the file itself

#[tokio::test]
async fn the_file_is_utf8_with_a_bom_and_crlf_line_ends_named_after_what_it_holds() {
    let f = fleet().await;

    let table = f.csv(MONTHS).await;
    let device = f
        .csv(&format!("period=2021-08&device={}&view=function", f.d1))
        .await;
    let range = f
        .csv(&format!("{MONTHS}&device={}&kind=cumulative", f.d2))
        .await;
    let group = f.csv(&format!("{MONTHS}&group=none")).await;

    assert!(table.bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = table.text();
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches("\r\n").count(), 5);
    assert_eq!(text.matches('\n').count(), 5, "no bare LF");
    assert_eq!(
        table.disposition,
        "attachment; filename=\"counters_usage_month_2021-08_2021-11.csv\"; \
         filename*=UTF-8''counters_usage_month_2021-08_2021-11.csv"
    );
    assert!(
        device
            .disposition
            .contains("filename=\"counters_usage_month_2021-08_device-SEED-0001_function.csv\"")
    );
    assert!(range.disposition.contains(
        "filename=\"counters_cumulative_month_2021-08_2021-11_device-SEED-0002_counter.csv\""
    ));
    assert!(
        group
            .disposition
            .contains("filename=\"counters_usage_month_2021-08_2021-11_no-group.csv\"")
    );
}

#[tokio::test]
async fn a_shift_jis_file_decodes_to_the_same_text_as_the_utf8_one() {
    let f = fleet().await;

    for query in [
        MONTHS.to_string(),
        format!("{MONTHS}&device={}&view=function", f.d1),
        "period=2021-08&view=paper".to_string(),
    ] {
        let utf8 = f.csv(&query).await;
        let sjis = f.csv(&format!("{query}&encoding=shift_jis")).await;

        assert_eq!(sjis.status, 200, "{query}");
        assert_eq!(sjis.content_type, "text/csv; charset=Shift_JIS");
        assert!(!sjis.bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
        assert!(std::str::from_utf8(&sjis.bytes).is_err(), "not UTF-8");
        let (decoded, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&sjis.bytes);
        assert!(!had_errors);
        assert_eq!(decoded, utf8.text(), "{query}");
    }
}

#[tokio::test]
async fn a_name_that_shift_jis_cannot_hold_is_refused_by_cell_with_a_hint_to_use_utf8() {
    let f = fleet().await;
    let mut json = mfp("EMOJI-1", "Printer 🖨");
    json["location"] = json!("Floor 🏢 5");
    f.app.device(&f.tenant, json).await;

    let csv = f.csv(&format!("{MONTHS}&encoding=shift_jis")).await;
    let utf8 = f.csv(MONTHS).await;

    assert_eq!(csv.status, 422);
    let error = &csv.json()["error"];
    assert_eq!(error["code"], "unencodable");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("encoding=utf-8"),
        "{error}"
    );
    // Headings, Total row, Annex MFP, then "Printer 🖨" in line 4 (sorted by name).
    assert_eq!(
        error["details"],
        json!([
            {"field": "encoding", "row": 4, "column": 1, "heading": "デバイス名",
             "value": "Printer 🖨", "message": "cannot be written in Shift_JIS; use encoding=utf-8"},
            {"field": "encoding", "row": 4, "column": 2, "heading": "デバイス設置場所",
             "value": "Floor 🏢 5", "message": "cannot be written in Shift_JIS; use encoding=utf-8"},
        ])
    );
    // UTF-8 writes it as it is.
    assert_eq!(utf8.status, 200);
    assert_eq!(utf8.rows()[3][..2], ["Printer 🖨", "Floor 🏢 5"]);
}

#[tokio::test]
async fn cells_from_devices_and_users_that_look_like_formulas_are_neutralised_but_numbers_are_not()
{
    let f = fleet().await;
    let mut json = mfp("EVIL-1", "=HYPERLINK(\"http://evil.example\",\"x\")");
    json["location"] = json!("@SUM(A1)");
    let evil = f.app.device(&f.tenant, json).await;
    f.app.device(&f.tenant, mfp("EVIL-2", "-2+3")).await;
    f.app.device(&f.tenant, mfp("EVIL-3", "-")).await;
    f.app.group(&f.tenant, "+営業", &[evil]).await;
    f.app
        .ingest_ok(
            "readings",
            &f.ingest,
            &json!([{"serial": "EVIL-1", "read_at": MONTH_ENDS[1], "counters": {"total1": 5}}]),
        )
        .await;

    let csv = f.csv(&format!("{MONTHS}&lang=en")).await;

    let rows = csv.rows();
    let by_name: HashMap<&str, &Vec<String>> = rows.iter().map(|r| (r[0].as_str(), r)).collect();
    assert_eq!(
        by_name["'=HYPERLINK(\"http://evil.example\",\"x\")"][..5],
        [
            "'=HYPERLINK(\"http://evil.example\",\"x\")",
            "'@SUM(A1)",
            "'+営業",
            "5",
            "5"
        ]
    );
    assert_eq!(by_name["'-2+3"][1..], ["2F", "", "-", "-", "-", "-", "-"]);
    // A device named "-" stays apart from a missing value "-".
    assert_eq!(by_name["'-"][3], "-");
    // The raw text has the apostrophe inside the quoted cell, where a spreadsheet sees it.
    assert!(
        csv.text().contains(
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'@SUM(A1),'+営業,5,5,"
        )
    );
}

#[tokio::test]
async fn a_bad_view_encoding_or_language_is_refused_naming_the_field() {
    let f = fleet().await;

    let csv = f
        .csv(&format!("{MONTHS}&view=pie&encoding=latin1&lang=fr"))
        .await;

    assert_eq!(csv.status, 422);
    let error = &csv.json()["error"];
    assert_eq!(error["code"], "invalid_query");
    assert_eq!(
        each(&error["details"], "field"),
        ["view", "encoding", "lang"]
    );
}

#[tokio::test]
async fn another_tenant_s_token_cannot_export_this_tenant_s_devices() {
    let f = fleet().await;
    let other = f.app.tenant("Other", "Asia/Tokyo").await;
    f.app.device(&other, mfp("OTHER-1", "Their MFP")).await;
    let their_token = f.app.read_token(&other).await;

    let device = get_csv(
        &f.app,
        &their_token,
        &format!("{MONTHS}&device={}&view=function", f.d1),
    )
    .await;
    let table = get_csv(&f.app, &their_token, MONTHS).await;
    let anonymous = f
        .app
        .client
        .get(f.app.url(&format!("/api/v1/counters.csv?{MONTHS}")))
        .send()
        .await
        .unwrap();

    assert_eq!(device.status, 404);
    assert_eq!(table.status, 200);
    let text = table.text();
    assert!(text.contains("Their MFP"));
    assert!(!text.contains("本社") && !text.contains("SEED"), "{text}");
    assert_eq!(anonymous.status(), 401);
}

// ---- the same numbers as the JSON API (C8)

/// The JSON number of a counter as the CSV writes it; null is "-".
/// A CSV cell shows the API's value: the same, or the value rounded to the cell's
/// decimals (large-format values have their unit's fixed decimals in the CSV).
fn shows(cell: &str, api: &str) -> bool {
    if cell == api {
        return true;
    }
    let (Ok(c), Ok(a)) = (cell.parse::<f64>(), api.parse::<f64>()) else {
        return false;
    };
    let places = cell.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
    (c - a).abs() <= 0.5 * 10f64.powi(-places) + 1e-9
}

fn as_cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Number(n) => n.to_string(),
        other => panic!("not a counter value: {other}"),
    }
}

/// Which counter an English heading names, for a class.
fn key_of_heading(heading: &str, class: DeviceClass) -> Key {
    // An LFP's one-device headings carry its unit: "Total (m²)".
    let heading = match class {
        DeviceClass::Lfp => heading.split(" (").next().unwrap(),
        DeviceClass::Mfp => heading,
    };
    class
        .keys()
        .iter()
        .copied()
        .find(|k| counter_label(*k, class, Lang::En) == heading)
        .unwrap_or_else(|| panic!("no counter is called {heading:?}"))
}

/// Compares every number of a CSV export with the JSON answer of the same query.
async fn assert_same_numbers(app: &TestApp, token: &str, query: &str, class: DeviceClass) {
    let (status, json) = app.get(&format!("/api/v1/counters?{query}"), token).await;
    assert_eq!(status, 200, "{json}");
    let csv = get_csv(app, token, &format!("{query}&lang=en")).await;
    assert_eq!(csv.status, 200, "{query}");
    let rows = csv.rows();
    let headings = &rows[0];
    let devices = json["devices"].as_array().unwrap();
    let device_named = |name: &str| {
        devices
            .iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("{name} is in the JSON"))
    };
    let periods: Vec<&str> = json["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let has_total = !json["total"].is_null();
    let mut compared = 0;
    let unit_column = usize::from(class == DeviceClass::Lfp);

    if query.contains("device=") {
        // S16: a period per row, the view's counters per column.
        let device = &devices[0];
        for row in &rows[1..] {
            for (c, heading) in headings.iter().enumerate().skip(1) {
                let key = key_of_heading(heading, class).name();
                let expected = if row[0] == "Total" {
                    as_cell(&device["total"][key])
                } else {
                    let cells = &device["periods"][period_id(&row[0]).as_str()];
                    as_cell(if cells.is_null() { cells } else { &cells[key] })
                };
                assert!(
                    shows(&row[c], &expected),
                    "{query}: {} {heading}: {} is not {expected}",
                    row[0],
                    row[c]
                );
                compared += 1;
            }
        }
    } else if query.contains("period=") {
        // S17: a device per row.
        let period = periods[0];
        let first = 3 + unit_column;
        for row in &rows[1..] {
            for (c, heading) in headings.iter().enumerate().skip(first) {
                let key = key_of_heading(heading, class).name();
                let cells = if row[0] == "Total" {
                    &json["total"]["periods"][period]
                } else {
                    &device_named(&row[0])["periods"][period]
                };
                let expected = as_cell(if cells.is_null() { cells } else { &cells[key] });
                assert!(
                    shows(&row[c], &expected),
                    "{query}: {} {heading}: {} is not {expected}",
                    row[0],
                    row[c]
                );
                compared += 1;
            }
        }
    } else {
        // S13: a device per row, Total 1 per period, and the Total column.
        let first = 3 + unit_column;
        for row in &rows[1..] {
            for (c, heading) in headings.iter().enumerate().skip(first) {
                let (total, periods_of) = if row[0] == "Total" {
                    (&json["total"]["total"], &json["total"]["periods"])
                } else {
                    let d = device_named(&row[0]);
                    (&d["total"], &d["periods"])
                };
                let expected = if heading == "Total" {
                    as_cell(&total["total1"])
                } else {
                    let cells = &periods_of[period_id(heading).as_str()];
                    as_cell(if cells.is_null() {
                        cells
                    } else {
                        &cells["total1"]
                    })
                };
                assert!(
                    shows(&row[c], &expected),
                    "{query}: {} {heading}: {} is not {expected}",
                    row[0],
                    row[c]
                );
                compared += 1;
            }
        }
        assert_eq!(rows.len(), devices.len() + 1 + usize::from(has_total));
    }
    assert!(compared > 0, "{query}: nothing compared");
}

/// The API's period of a heading written as the screens write it (`2021/08`, `Aug 2021`,
/// `2021/08/31`, `31 Aug 2021`).
fn period_id(label: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let words: Vec<&str> = label.split([' ', '/']).collect();
    let month = |m: &str| MONTHS.iter().position(|x| *x == m).map(|i| i + 1);
    match words.as_slice() {
        [y, m] if y.len() == 4 => format!("{y}-{m}"),
        [y, m, d] if y.len() == 4 => format!("{y}-{m}-{d}"),
        [m, y] => format!("{y}-{:02}", month(m).expect("a month")),
        [d, m, y] => format!("{y}-{:02}-{d:0>2}", month(m).expect("a month")),
        _ => label.to_string(),
    }
}

#[tokio::test]
async fn every_number_in_every_layout_equals_the_json_api_s() {
    let f = fleet().await;

    for kind in ["usage", "cumulative"] {
        assert_same_numbers(
            &f.app,
            &f.read,
            &format!("{MONTHS}&kind={kind}"),
            DeviceClass::Mfp,
        )
        .await;
        assert_same_numbers(
            &f.app,
            &f.read,
            &format!("unit=day&from=2021-08-01&to=2021-10-31&kind={kind}"),
            DeviceClass::Mfp,
        )
        .await;
        for view in ["counter", "paper", "color_mode", "function"] {
            for device in [f.d1, f.d2] {
                assert_same_numbers(
                    &f.app,
                    &f.read,
                    &format!("{MONTHS}&kind={kind}&device={device}&view={view}"),
                    DeviceClass::Mfp,
                )
                .await;
            }
            for period in ["2021-08", "2021-10", "2021-11-30"] {
                assert_same_numbers(
                    &f.app,
                    &f.read,
                    &format!("period={period}&kind={kind}&view={view}"),
                    DeviceClass::Mfp,
                )
                .await;
            }
        }
    }
}

// ---- large-format printers

/// LFPs with the given serials and units, each with 12.25 units of usage in August 2021;
/// returns a read token and the first device's id.
async fn plotters(app: &TestApp, tenant: &Tenant, units: &[(&str, &str)]) -> (String, i64) {
    let mut batch = Vec::new();
    let mut ids = Vec::new();
    for (i, (serial, unit)) in units.iter().enumerate() {
        let id = app
            .device(tenant, lfp(serial, &format!("Plotter {}", i + 1), unit))
            .await;
        ids.push(id);
        batch.push(json!({"serial": serial, "read_at": MONTH_ENDS[0],
            "counters": {"total1": 100.5, "duty_a": 50.25, "duty_b": 0}}));
        batch.push(json!({"serial": serial, "read_at": MONTH_ENDS[1],
            "counters": {"total1": 112.75, "duty_a": 50.375, "duty_b": 2}}));
    }
    let ingest = app.ingest_token(tenant).await;
    app.ingest_ok("readings", &ingest, &json!(batch)).await;
    (app.read_token(tenant).await, ids[0])
}

#[tokio::test]
async fn lfp_values_keep_their_decimals_and_say_their_unit() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Plots", "Asia/Tokyo").await;
    let (read, first) = plotters(&app, &tenant, &[("LFP-1", "m2"), ("LFP-2", "m2")]).await;

    let table = get_csv(&app, &read, "unit=month&from=2021-08&to=2021-09&class=lfp").await;
    let detail = get_csv(
        &app,
        &read,
        &format!("unit=month&from=2021-08&to=2021-09&class=lfp&device={first}&lang=en"),
    )
    .await;
    let period = get_csv(&app, &read, "period=2021-08&class=lfp&view=function").await;

    // A Unit column after the group, on every row (one unit here, so a Total row too).
    #[rustfmt::skip]
    let expected = rows(&[
        &["デバイス名", "デバイス設置場所", "グループ名", "単位", "合計", "2021/08", "2021/09"],
        &["合計", "", "", "面積(m²)", "24.50", "24.50", "-"],
        &["Plotter 1", "", "", "面積(m²)", "12.25", "12.25", "-"],
        &["Plotter 2", "", "", "面積(m²)", "12.25", "12.25", "-"],
    ]);
    assert_eq!(table.rows(), expected);
    // One device: the unit is in the headings. Every tab of an LFP shows its five counters.
    #[rustfmt::skip]
    let expected = rows(&[
        &["Period", "Total (m²)", "DUTY A (m²)", "DUTY B (m²)", "DUTY C (m²)", "DUTY D (m²)"],
        // Areas with two decimals, rounded half away from zero (the API keeps 0.125).
        &["Total", "12.25", "0.13", "2.00", "-", "-"],
        &["Sep 2021", "-", "-", "-", "-", "-"],
        &["Aug 2021", "12.25", "0.13", "2.00", "-", "-"],
    ]);
    assert_eq!(detail.rows(), expected);
    #[rustfmt::skip]
    let expected = rows(&[
        &["デバイス名", "デバイス設置場所", "グループ名", "単位", "トータル", "DUTY A", "DUTY B", "DUTY C", "DUTY D"],
        &["合計", "", "", "面積(m²)", "24.50", "0.25", "4.00", "-", "-"],
    ]);
    assert_eq!(period.rows()[..2], expected);
    assert!(
        table
            .disposition
            .contains("filename=\"counters_usage_month_2021-08_2021-09_lfp.csv\"")
    );
    for query in [
        "unit=month&from=2021-08&to=2021-09&class=lfp".to_string(),
        format!("unit=month&from=2021-08&to=2021-09&class=lfp&device={first}"),
        "period=2021-08&class=lfp&kind=cumulative".to_string(),
    ] {
        assert_same_numbers(&app, &read, &query, DeviceClass::Lfp).await;
    }
}

#[tokio::test]
async fn lfps_of_different_units_are_not_added_up() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Plots", "Asia/Tokyo").await;
    let (read, _) = plotters(&app, &tenant, &[("LFP-1", "m2"), ("LFP-2", "a4")]).await;

    let table = get_csv(
        &app,
        &read,
        "unit=month&from=2021-08&to=2021-09&class=lfp&lang=en",
    )
    .await;

    #[rustfmt::skip]
    let expected = rows(&[
        &["Device name", "Location", "Group", "Unit", "Aug 2021", "Sep 2021"],
        &["Plotter 1", "", "", "m²", "12.25", "-"],
        // Sheets are shown whole, areas with two decimals (the API keeps 12.25).
        &["Plotter 2", "", "", "A4-equivalent sheets", "12", "-"],
    ]);
    assert_eq!(table.rows(), expected);
}

#[tokio::test]
async fn an_lfp_in_square_metres_exports_in_shift_jis_with_m2_spelled_out() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("Plots", "Asia/Tokyo").await;
    let (read, first) = plotters(&app, &tenant, &[("LFP-1", "m2")]).await;

    let csv = get_csv(
        &app,
        &read,
        &format!("unit=month&from=2021-08&to=2021-09&class=lfp&device={first}&encoding=shift_jis"),
    )
    .await;

    assert_eq!(csv.status, 200, "{}", String::from_utf8_lossy(&csv.bytes));
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&csv.bytes);
    assert!(!had_errors);
    assert_eq!(
        parse(&text)[0],
        [
            "期間",
            "トータル(面積(m2))",
            "DUTY A(面積(m2))",
            "DUTY B(面積(m2))",
            "DUTY C(面積(m2))",
            "DUTY D(面積(m2))",
            "備考"
        ]
    );
}
