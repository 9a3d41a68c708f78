//! Whole messages, as devices and site tools send them, read into ingest bodies.
//!
//! The fixtures under `tests/fixtures/` are written from the vendors' documented formats
//! (see the tables' sources in `src/csv.rs` and `src/sharp.rs`), not recorded from devices.

use jiff::tz::TimeZone;
use meterport_meter_mail::{CsvDialect, Format, MAX_READINGS, MeterMail, Refusal, read};
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn tokyo() -> TimeZone {
    TimeZone::get("Asia/Tokyo").unwrap()
}

fn read_fixture(name: &str) -> MeterMail {
    read(&fixture(name), &tokyo()).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn body(mail: &MeterMail) -> Value {
    serde_json::from_str(&mail.body).unwrap_or_else(|e| panic!("{e}: {}", mail.body))
}

/// The body as the ingest service reads it: every item must be a well-formed reading.
fn assert_ingest_reads(mail: &MeterMail) {
    let drafts = meterport_domain::ingest::parse_readings(&mail.body).unwrap();
    assert_eq!(drafts.len(), mail.readings);
    for draft in drafts {
        assert!(draft.is_ok(), "{draft:?} in {}", mail.body);
    }
}

#[test]
fn a_json_body_with_every_read_at_goes_on_unchanged() {
    let mail = read_fixture("json_body.eml");
    let raw = String::from_utf8(fixture("json_body.eml")).unwrap();
    let sent = raw.split_once("\n\n").unwrap().1;
    assert_eq!(mail.body.trim(), sent.trim());
    assert!(mail.body.contains("12.500"), "digits kept as written");
    assert_eq!(mail.format, Format::Json);
    assert_eq!(mail.readings, 2);
    assert_eq!((mail.skipped_rows, mail.unused_columns.len()), (0, 0));
    assert_ingest_reads(&mail);
}

#[test]
fn a_json_attachment_goes_on_unchanged_and_the_text_beside_it_is_no_report() {
    let mail = read_fixture("json_attachment.eml");
    assert_eq!(
        mail.body.trim(),
        r#"{"serial":"E1234567","read_at":"2026-12-01T00:00:00Z","counters":{"total1":12345,"scan":321}}"#
    );
    assert_eq!((mail.format, mail.readings), (Format::Json, 1));
    assert_ingest_reads(&mail);
}

#[test]
fn json_items_without_read_at_take_the_mail_s_date() {
    let mail = read_fixture("json_no_read_at.eml");
    assert_eq!(
        body(&mail),
        json!([
            {"serial": "E1234567", "read_at": "2026-12-01T09:00:00+09:00", "counters": {"total1": 12345}},
            {"serial": "E7654321", "read_at": "2026-11-30T23:59:00+09:00", "counters": {"total1": 99}},
        ])
    );
    assert_eq!((mail.format, mail.readings), (Format::Json, 2));
    assert_ingest_reads(&mail);
}

#[test]
fn a_json_key_given_twice_is_refused_when_an_item_must_be_rewritten() {
    let msg = b"Date: Tue, 1 Dec 2026 09:00:00 +0900\nContent-Type: application/json\n\n{\"serial\":\"A\",\"serial\":\"B\",\"counters\":{\"total1\":1}}\n";
    assert_eq!(
        read(msg, &tokyo()),
        Err(Refusal::BadJson {
            detail: "item 0: serial is given twice".into()
        })
    );
    let msg = b"Date: Tue, 1 Dec 2026 09:00:00 +0900\n\n[{\"serial\": \"A\",\n";
    assert!(matches!(read(msg, &tokyo()), Err(Refusal::BadJson { .. })));
}

fn key_value_body() -> Value {
    json!([
        {"serial": "E1234567", "read_at": "2026-12-01T08:30:00+09:00",
         "counters": {"total1": 12345, "mono_copy": 10, "color_print": 2000}},
        {"serial": "E7654321", "read_at": "2026-12-01T09:00:00+09:00", "counters": {"total1": 500}},
    ])
}

#[test]
fn key_value_lines_read_the_same_with_lf_and_crlf() {
    for name in ["key_value_lf.eml", "key_value_crlf.eml"] {
        let mail = read_fixture(name);
        assert_eq!(body(&mail), key_value_body(), "{name}");
        assert_eq!(
            (mail.format, mail.readings),
            (Format::KeyValue, 2),
            "{name}"
        );
        assert_ingest_reads(&mail);
    }
}

#[test]
fn key_value_lines_in_a_quoted_printable_iso_2022_jp_body_with_japanese_around() {
    let mail = read_fixture("key_value_iso2022jp_qp.eml");
    assert_eq!(
        body(&mail),
        json!([{"serial": "E1234567", "read_at": "2026-12-01T09:00:00+09:00",
                "counters": {"total1": 12345, "mono_copy": 10}}])
    );
    assert_eq!(mail.format, Format::KeyValue);
}

#[test]
fn a_ricoh_notification_in_base64_shift_jis_with_a_japanese_file_name() {
    let mail = read_fixture("ricoh_sjis_base64.eml");
    assert_eq!(mail.format, Format::Csv(CsvDialect::Ricoh));
    assert_eq!(
        body(&mail),
        json!([
            {"serial": "E1234567", "read_at": "2026-12-01T00:00:05+09:00", "counters": {
                "total1": 12345, "mono_copy": 4000, "mono_print": 5000, "duplex": 800,
                "color_copy": 345, "color_print": 2300, "mono": 9045, "color": 2645}},
            {"serial": "E5555555", "read_at": "2026-12-01T00:00:05+09:00", "counters": {
                "total1": 800, "mono_copy": 300, "mono_print": 500, "mono": 800}},
        ])
    );
    assert_eq!(mail.readings, 2);
    assert_eq!(mail.skipped_rows, 1, "E7654321 has no counter value");
    assert_eq!(
        mail.unused_columns,
        [
            "IP Address",
            "Device Display Name",
            "Copier Full Color Counter",
            "Printer Full Color Counter",
            "Fax B&W Counter",
            "A3/DLT",
            "Scanner Send B&W Counter",
            // Shift_JIS, decoded: the part named no charset.
            "設置場所",
        ]
    );
    assert_ingest_reads(&mail);
}

#[test]
fn a_kyocera_report_with_a_bom_a_date_column_and_an_rfc_2231_file_name() {
    let mail = read_fixture("kyocera.eml");
    assert_eq!(mail.format, Format::Csv(CsvDialect::Kyocera));
    assert_eq!(
        body(&mail),
        json!([
            {"serial": "LVA1234567", "read_at": "2026-12-01T08:00:00+09:00", "counters": {
                "total1": 1234567, "mono_copy": 100000, "color_copy": 20000, "mono_print": 900000,
                "color_print": 200000, "receive": 14567, "duplex": 50000}},
            {"serial": "VCF7654321", "read_at": "2026-12-01T08:05:00+09:00", "counters": {
                "total1": 88000, "mono_copy": 8000, "mono_print": 80000, "receive": 0,
                "duplex": 12000}},
        ])
    );
    assert_eq!(mail.unused_columns, ["Model", "Scanned Pages"]);
    assert_ingest_reads(&mail);
}

#[test]
fn an_attachment_is_a_csv_by_its_decoded_file_name_whatever_its_content_type() {
    // "カウンター通知.csv" as an RFC 2047 Shift_JIS encoded word, as Windows mailers write it.
    let name = "=?shift_jis?B?g0qDRYOTg16BW5LKkm0uY3N2?=";
    let msg = format!(
        "Date: Tue, 1 Dec 2026 09:00:00 +0900\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: application/octet-stream; name=\"{name}\"\nContent-Disposition: attachment; filename=\"{name}\"\n\nSerial Number,Total Counter\nE1,5\n--x\nContent-Type: application/octet-stream; name=\"counter.dat\"\n\nSerial Number,Total Counter\nE2,6\n--x--\n"
    );
    let mail = read(msg.as_bytes(), &tokyo()).unwrap();
    assert_eq!(mail.format, Format::Csv(CsvDialect::Ricoh));
    assert_eq!(
        body(&mail),
        json!([{"serial": "E1", "read_at": "2026-12-01T09:00:00+09:00", "counters": {"total1": 5}}])
    );
}

#[test]
fn our_own_csv_keeps_offsets_and_decimals_as_written() {
    let mail = read_fixture("meterport_csv.eml");
    assert_eq!(mail.format, Format::Csv(CsvDialect::Meterport));
    assert_eq!(
        body(&mail),
        json!([
            {"serial": "E1234567", "read_at": "2026-12-01T09:00:00+09:00", "counters": {
                "total1": 12345, "mono": 10000, "color": 2345, "paper_a4": 8000}},
            {"serial": "LFP0001", "read_at": "2026-12-01T09:00:00+09:00", "counters": {
                "total1": 1523.125, "duty_a": 12.5}},
        ])
    );
    assert!(mail.body.contains(r#""duty_a":12.500"#), "{}", mail.body);
    assert!(mail.unused_columns.is_empty());
    assert_ingest_reads(&mail);
}

#[test]
fn a_sharp_status_message_gives_total_copy_and_print_and_lists_the_rest() {
    let mail = read_fixture("sharp.eml");
    assert_eq!(mail.format, Format::SharpText);
    assert_eq!(
        body(&mail),
        json!([{"serial": "05012345", "read_at": "2026-12-01T09:00:00+09:00",
                "counters": {"copy": 2345, "print": 9000, "total1": 12345}}])
    );
    assert_eq!(mail.unused_columns, ["Fax Count", "Scan Count"]);
    assert_ingest_reads(&mail);
}

#[test]
fn a_body_and_an_attachment_make_one_ingest_body() {
    let mail = read_fixture("multipart_body_and_attachment.eml");
    assert_eq!(
        body(&mail),
        json!([
            {"serial": "E1234567", "read_at": "2026-12-01T09:00:00+09:00", "counters": {"total1": 12345}},
            {"serial": "E7654321", "read_at": "2026-12-01T09:00:00+09:00", "counters": {"total1": 500}},
        ])
    );
    assert_eq!((mail.format, mail.readings), (Format::KeyValue, 2));
    assert_eq!(mail.unused_columns, ["A3/DLT"]);
    assert_ingest_reads(&mail);
}

#[test]
fn json_and_text_reports_combine_into_one_array() {
    let msg = "Date: Tue, 1 Dec 2026 09:00:00 +0900\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nserial: A\ntotal1: 1\n--x\nContent-Type: application/json\n\n{\"serial\":\"B\",\"read_at\":\"2026-12-01T00:00:00Z\",\"counters\":{\"total1\":2}}\n--x--\n";
    let mail = read(msg.as_bytes(), &tokyo()).unwrap();
    assert_eq!(
        body(&mail),
        json!([
            {"serial": "A", "read_at": "2026-12-01T09:00:00+09:00", "counters": {"total1": 1}},
            {"serial": "B", "read_at": "2026-12-01T00:00:00Z", "counters": {"total1": 2}},
        ])
    );
    assert_eq!((mail.format, mail.readings), (Format::KeyValue, 2));
}

#[test]
fn a_jst_date_is_read_in_the_tenant_s_zone_and_a_numeric_zone_as_written() {
    let read_at = |name: &str, zone: &TimeZone| {
        let mail = read(&fixture(name), zone).unwrap();
        body(&mail)[0]["read_at"].as_str().unwrap().to_string()
    };
    assert_eq!(
        read_at("date_jst.eml", &tokyo()),
        "2026-12-01T09:00:00+09:00"
    );
    assert_eq!(
        read_at("date_utc.eml", &tokyo()),
        "2026-12-01T09:00:00+00:00"
    );
    // The zone name is not trusted: the tenant's zone decides.
    assert_eq!(
        read_at("date_jst.eml", &TimeZone::UTC),
        "2026-12-01T09:00:00+00:00"
    );
}

#[test]
fn an_html_only_mail_has_no_report() {
    assert_eq!(
        read(&fixture("html_only.eml"), &tokyo()),
        Err(Refusal::NoReport)
    );
}

#[test]
fn what_cannot_be_read_is_refused_with_its_reason() {
    let z = tokyo();
    let text = |body: &str| format!("Date: Tue, 1 Dec 2026 09:00:00 +0900\nSubject: x\n\n{body}");
    let cases = [
        (
            text("serial: A\ntotal: 5\n"),
            Refusal::UnknownCounter {
                name: "total".into(),
            },
        ),
        (
            text("serial: A\ntotal1: 5 pages\n"),
            Refusal::BadValue {
                name: "total1".into(),
                text: "5 pages".into(),
            },
        ),
        (text("Hello, nothing to report.\n"), Refusal::NoReport),
        (text("Total Count = 5\n"), Refusal::MissingSerial),
        (
            "Subject: x\n\nserial: A\ntotal1: 5\n".to_string(),
            Refusal::NoDate,
        ),
        (
            "Date: someday\n\nserial: A\ntotal1: 5\n".to_string(),
            Refusal::BadDate {
                text: "someday".into(),
            },
        ),
        (String::new(), Refusal::Unreadable),
    ];
    for (msg, want) in cases {
        assert_eq!(read(msg.as_bytes(), &z), Err(want), "{msg:?}");
    }
    // A report that carries its time needs no Date: header.
    let mail = read(
        b"Subject: x\n\nserial: A\nread_at: 2026-12-01T09:00:00+09:00\ntotal1: 5\n",
        &z,
    )
    .unwrap();
    assert_eq!(mail.readings, 1);
}

fn csv_mail(rows: usize) -> Vec<u8> {
    let mut csv = String::from("Serial Number,Total Counter,Copier B&W Counter\r\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "E{i:07},\"{},{:03}\",{i}\r\n",
            10 + i / 1000,
            i % 1000
        ));
    }
    let mut msg = String::from(
        "Date: Tue, 1 Dec 2026 00:00:00 +0900\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/csv; name=counter.csv\r\n\r\n",
    );
    msg.push_str(&csv);
    msg.push_str("--b--\r\n");
    msg.into_bytes()
}

#[test]
fn a_thousand_row_csv_reads_into_a_thousand_readings() {
    let mail = read(&csv_mail(1000), &tokyo()).unwrap();
    assert_eq!(mail.readings, 1000);
    let items = body(&mail);
    assert_eq!(items.as_array().unwrap().len(), 1000);
    assert_eq!(
        items[999],
        json!({"serial": "E0000999", "read_at": "2026-12-01T00:00:00+09:00",
               "counters": {"total1": 10999, "mono_copy": 999}})
    );
    assert_ingest_reads(&mail);
}

#[test]
fn more_readings_than_one_ingest_request_holds_are_refused() {
    assert_eq!(
        read(&csv_mail(MAX_READINGS + 1), &tokyo()),
        Err(Refusal::TooManyReadings {
            limit: MAX_READINGS
        })
    );
    // Counted over every part of the mail together.
    let json_items: Vec<String> = (0..MAX_READINGS)
        .map(|i| {
            format!(
                r#"{{"serial":"J{i}","read_at":"2026-12-01T00:00:00Z","counters":{{"total1":1}}}}"#
            )
        })
        .collect();
    let msg = format!(
        "Date: Tue, 1 Dec 2026 09:00:00 +0900\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nserial: A\ntotal1: 1\n--x\nContent-Type: application/json\n\n[{}]\n--x--\n",
        json_items.join(",")
    );
    assert_eq!(
        read(msg.as_bytes(), &tokyo()),
        Err(Refusal::TooManyReadings {
            limit: MAX_READINGS
        })
    );
}
