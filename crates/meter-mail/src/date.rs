//! Times: the mail's `Date:` header and the times written in reports, as RFC 3339 with offset.
//!
//! RFC 5322 (3.3, 4.3) gives a date a numeric zone (`+0900`) or one of the obsolete names UT,
//! GMT, EST, EDT, CST, CDT, MST, MDT, PST, PDT. Devices write other names too (`JST`), and
//! RFC 5322 4.3 says an unknown name, like the military single letters, "SHOULD be considered
//! equivalent to -0000": no zone information. mail-parser and jiff's RFC 2822 parser both read
//! such a name as UTC, which files a Japanese device's 09:00 at 18:00 local time. Here a
//! zone we cannot know is the tenant's zone, the only out-of-band information there is: the
//! zone is looked at first, and only a numeric zone or one of RFC 5322's names is left to
//! jiff to apply.

use jiff::ZonedDateTime;
use jiff::civil::DateTime;
use jiff::fmt::rfc2822;
use jiff::tz::TimeZone;

use crate::Refusal;

/// RFC 5322's zone names (3.3 and 4.3's obsolete zones); military letters are not among
/// them: RFC 5322 4.3 makes them -0000, unknown.
const RFC5322_ZONES: [&str; 10] = [
    "UT", "GMT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT",
];

/// The `Date:` header's time in RFC 3339 with offset.
pub fn header_date(raw: &str, zone: &TimeZone) -> Result<String, Refusal> {
    let bad = || Refusal::BadDate {
        text: raw.trim().to_string(),
    };
    // Unfold, and drop a trailing comment: `+0900 (JST)` is the numeric zone's.
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = match text.rfind(" (") {
        Some(i) if text.ends_with(')') => text[..i].trim_end(),
        _ => text.as_str(),
    };
    let (rest, last) = text.rsplit_once(' ').ok_or_else(bad)?;
    let known =
        last.starts_with(['+', '-']) || RFC5322_ZONES.iter().any(|z| z.eq_ignore_ascii_case(last));
    let zdt = if known {
        rfc2822::parse(text).map_err(|_| bad())?
    } else {
        // No zone at all (the time is the last word), or one we cannot know: the civil
        // time read with a stand-in zone, then placed in the tenant's zone.
        let civil = if last.contains(':') { text } else { rest };
        let stand_in = rfc2822::parse(&format!("{civil} +0000")).map_err(|_| bad())?;
        zone.to_zoned_datetime(stand_in.datetime())
            .map_err(|_| bad())?
    };
    Ok(rfc3339(&zdt))
}

/// Civil forms a report may use for a local time without offset (Japanese tools write
/// slashes; spreadsheets and ISO 8601 write dashes).
const LOCAL_FORMS: [&str; 6] = [
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
];

/// A time written in a report (a `read_at:` line, a CSV date cell): RFC 3339 with offset is
/// kept as written; a local time without offset is read in the tenant's `zone`.
pub fn report_time(text: &str, zone: &TimeZone) -> Result<String, Refusal> {
    let text = text.trim();
    // The ingest service's own reading of RFC 3339 decides what passes as written.
    if meterport_domain::ingest::parse_instant(text).is_ok() {
        return Ok(text.to_string());
    }
    LOCAL_FORMS
        .iter()
        .find_map(|form| DateTime::strptime(form, text).ok())
        .and_then(|dt| zone.to_zoned_datetime(dt).ok())
        .map(|zdt| rfc3339(&zdt))
        .ok_or_else(|| Refusal::BadDate {
            text: text.to_string(),
        })
}

fn rfc3339(zdt: &ZonedDateTime) -> String {
    zdt.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> TimeZone {
        TimeZone::get("Asia/Tokyo").unwrap()
    }

    #[test]
    fn a_numeric_zone_or_an_rfc_5322_name_is_honoured() {
        let cases = [
            (
                "Tue, 1 Dec 2026 09:00:00 +0900",
                "2026-12-01T09:00:00+09:00",
            ),
            (
                "Tue, 01 Dec 2026 00:00:00 +0000",
                "2026-12-01T00:00:00+00:00",
            ),
            (
                "1 Dec 2026 09:00:00 +0900 (JST)",
                "2026-12-01T09:00:00+09:00",
            ),
            ("Tue, 1 Dec 2026 09:00:00 GMT", "2026-12-01T09:00:00+00:00"),
            ("Tue, 1 Dec 2026 04:00:00 EST", "2026-12-01T04:00:00-05:00"),
            (
                " Tue,\r\n 1 Dec 2026 09:00 -0800",
                "2026-12-01T09:00:00-08:00",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(header_date(raw, &tokyo()).as_deref(), Ok(want), "{raw}");
        }
    }

    #[test]
    fn another_zone_name_or_none_is_the_tenant_s_zone() {
        let cases = [
            "Tue, 1 Dec 2026 09:00:00 JST",
            "Tue, 1 Dec 2026 09:00:00 jst",
            "Tue, 1 Dec 2026 09:00:00 KST",
            "Tue, 1 Dec 2026 09:00:00 Z",
            "Tue, 1 Dec 2026 09:00:00 J",
            "Tue, 1 Dec 2026 09:00:00",
            "1 Dec 2026 09:00",
        ];
        for raw in cases {
            assert_eq!(
                header_date(raw, &tokyo()).as_deref(),
                Ok("2026-12-01T09:00:00+09:00"),
                "{raw}"
            );
        }
        let paris = TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(
            header_date("Tue, 1 Dec 2026 09:00:00 JST", &paris).as_deref(),
            Ok("2026-12-01T09:00:00+01:00")
        );
    }

    #[test]
    fn an_unreadable_header_is_a_bad_date_with_its_text() {
        for raw in [
            "yesterday",
            "Tue, 31 Nov 2026 09:00:00 +0900",
            "",
            "Tue, 1 Dec 2026 25:00 JST",
        ] {
            assert_eq!(
                header_date(raw, &tokyo()),
                Err(Refusal::BadDate {
                    text: raw.trim().to_string()
                }),
                "{raw}"
            );
        }
    }

    #[test]
    fn report_times_keep_their_offset_or_take_the_tenant_s_zone() {
        let z = tokyo();
        assert_eq!(
            report_time(" 2026-12-01T09:00:00+09:00 ", &z).as_deref(),
            Ok("2026-12-01T09:00:00+09:00")
        );
        assert_eq!(
            report_time("2026-12-01T00:00:00Z", &z).as_deref(),
            Ok("2026-12-01T00:00:00Z")
        );
        for local in [
            "2026/12/01 09:00",
            "2026/12/1 9:00:00",
            "2026-12-01 09:00:00",
            "2026-12-01T09:00",
        ] {
            assert_eq!(
                report_time(local, &z).as_deref(),
                Ok("2026-12-01T09:00:00+09:00"),
                "{local}"
            );
        }
        // A summer time gap takes the later offset (jiff's "compatible" choice).
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(
            report_time("2026-03-08 02:30", &ny).as_deref(),
            Ok("2026-03-08T03:30:00-04:00")
        );
        for bad in [
            "2026-12-01",
            "01/12/2026 09:00",
            "2026-12-01T09:00:00+24:00",
            "soon",
        ] {
            assert!(report_time(bad, &z).is_err(), "{bad}");
        }
    }
}
