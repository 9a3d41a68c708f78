//! The `key: value` format: our own counter names, one per line, for devices and scripts
//! that can send a mail but not an HTTP request.
//!
//! ```text
//! serial: ABC123
//! read_at: 2026-12-01T09:00:00+09:00
//! total1: 12345
//! mono_copy: 10
//!
//! serial: ABC124
//! total1: 999
//! ```
//!
//! Each `serial:` line begins a reading; `read_at` is optional (the mail's `Date:` then),
//! RFC 3339 with offset, or a local time (`2026-12-01 09:00`) read in the tenant's zone.
//! Keys are case-insensitive; whitespace around keys and values is ignored. Lines that are
//! not `word: value` (blank lines, prose in any language) are skipped, and so are `word:
//! value` lines before the first serial, which belong to the prose around a report (a
//! greeting, "Note: ..."). Inside a report a key that is not a counter name is refused:
//! a misspelt counter must not vanish.

use jiff::tz::TimeZone;
use meterport_domain::counters::Key;

use crate::Refusal;
use crate::date::report_time;
use crate::reading::{Reading, Report, value};

/// Reads the readings of a text part, or `None` when the text has no key:value report.
pub fn read(text: &str, zone: &TimeZone) -> Result<Option<Report>, Refusal> {
    let mut report = Report::default();
    let mut current: Option<Reading> = None;
    for line in text.lines() {
        let Some((key, val)) = field(line) else {
            continue;
        };
        let lower = key.to_ascii_lowercase();
        match lower.as_str() {
            "serial" => {
                let serial = val.trim();
                if serial.is_empty() {
                    return Err(Refusal::MissingSerial);
                }
                report.readings.extend(current.take());
                current = Some(Reading {
                    serial: serial.to_string(),
                    read_at: None,
                    counters: Vec::new(),
                });
            }
            "read_at" => {
                let reading = current.as_mut().ok_or(Refusal::MissingSerial)?;
                reading.read_at = Some(report_time(val, zone)?);
            }
            name => match (Key::from_name(name), current.as_mut()) {
                (Some(_), None) => return Err(Refusal::MissingSerial),
                (Some(k), Some(reading)) => reading.counters.push((k, value(key, val)?)),
                (None, Some(_)) => {
                    return Err(Refusal::UnknownCounter {
                        name: key.to_string(),
                    });
                }
                (None, None) => {}
            },
        }
    }
    report.readings.extend(current);
    Ok((!report.readings.is_empty()).then_some(report))
}

/// A `word: value` line: the word an identifier (`total1`, `read_at`), as written.
fn field(line: &str) -> Option<(&str, &str)> {
    let (key, val) = line.split_once(':')?;
    let key = key.trim();
    let ok = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some((key, val))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> TimeZone {
        TimeZone::get("Asia/Tokyo").unwrap()
    }

    fn read_ok(text: &str) -> Vec<Reading> {
        read(text, &tokyo()).unwrap().unwrap().readings
    }

    #[test]
    fn blocks_of_lines_become_readings() {
        let text = "Hello,\nNote: monthly counters\n\n  Serial : ABC123 \nREAD_AT: 2026-12-01 09:00\nTotal1: 12,345\nmono_copy:10\n\nserial: ABC124\ntotal1: 7\nregards\n";
        assert_eq!(
            read_ok(text),
            vec![
                Reading {
                    serial: "ABC123".into(),
                    read_at: Some("2026-12-01T09:00:00+09:00".into()),
                    counters: vec![(Key::Total1, "12345".into()), (Key::MonoCopy, "10".into())],
                },
                Reading {
                    serial: "ABC124".into(),
                    read_at: None,
                    counters: vec![(Key::Total1, "7".into())],
                },
            ]
        );
    }

    #[test]
    fn crlf_lines_read_as_lf_lines() {
        assert_eq!(
            read_ok("serial: A\r\ntotal1: 5\r\n"),
            read_ok("serial: A\ntotal1: 5\n")
        );
    }

    #[test]
    fn text_without_a_report_is_not_this_format() {
        for text in ["", "Hello\nSubject: none\n", "see you at 10:00"] {
            assert_eq!(read(text, &tokyo()), Ok(None), "{text:?}");
        }
    }

    #[test]
    fn what_cannot_be_read_is_refused_by_name() {
        let cases = [
            (
                "serial: A\ntotal_1: 5\n",
                Refusal::UnknownCounter {
                    name: "total_1".into(),
                },
            ),
            (
                "serial: A\ntotal1: -5\n",
                Refusal::BadValue {
                    name: "total1".into(),
                    text: "-5".into(),
                },
            ),
            (
                "serial: A\nread_at: tomorrow\ntotal1: 5\n",
                Refusal::BadDate {
                    text: "tomorrow".into(),
                },
            ),
            ("total1: 5\nserial: A\n", Refusal::MissingSerial),
            ("serial:\ntotal1: 5\n", Refusal::MissingSerial),
        ];
        for (text, want) in cases {
            assert_eq!(read(text, &tokyo()), Err(want), "{text:?}");
        }
    }
}
