//! Sharp's e-mailed status messages.
//!
//! Source: Sharp AR-PB2A operation manual, "Status/Alert Messages" (the status message a
//! Sharp device e-mails on schedule):
//!
//! ```text
//! DEVICE NAME: <Device Name>
//! DEVICE MODEL: <Device Model>
//! SERIAL NUMBER: <Serial Number>
//! MACHINE CODE: <Code String from Set-up Web Page>
//! Current device counter information:
//! Copy Count = <Copy Count>
//! Print Count = <Print Count>
//! Total Count = <Total Count>
//! ```
//!
//! with the meanings "Copy Count: Total number of copies in the copier mode", "Print Count:
//! Total number of printed sheets in the printer mode", "Total Count: Total number of
//! printed sheets including copy count and print count": exactly C1's `copy`, `print` and
//! `total1`. Later models add lines (fax, scan, colour and black-and-white counts) whose
//! meaning Sharp's format does not state against C1's keys: their labels are listed as
//! unused, never guessed into a key. Alert messages (no count lines) are not reports.
//!
//! Labels are matched case-insensitively; `=` and `:` both separate label and value.

use meterport_domain::counters::Key;

use crate::Refusal;
use crate::reading::{Reading, Report, number, value};

/// Label (lower case) to key, per the source above.
const COUNTS: [(&str, Key); 3] = [
    ("total count", Key::Total1),
    ("copy count", Key::Copy),
    ("print count", Key::Print),
];

/// Labels that name the device, not a counter.
const IDENTITY: [&str; 5] = [
    "device name",
    "device model",
    "model",
    "machine code",
    "serial number",
];

/// Whether a text is a Sharp status message: it has one of the format's count lines.
pub fn is_sharp(text: &str) -> bool {
    text.lines()
        .filter_map(labelled)
        .any(|(label, _)| count_key(label).is_some())
}

/// Reads a Sharp status message; the readings take the mail's `Date:`.
pub fn read(text: &str) -> Result<Report, Refusal> {
    let mut report = Report::default();
    let mut current: Option<Reading> = None;
    for (label, val) in text.lines().filter_map(labelled) {
        if label.eq_ignore_ascii_case("serial number") {
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
        } else if let Some(key) = count_key(label) {
            let reading = current.as_mut().ok_or(Refusal::MissingSerial)?;
            reading.counters.push((key, value(label, val)?));
        } else if !IDENTITY.iter().any(|i| i.eq_ignore_ascii_case(label)) && number(val).is_some() {
            // A counter line of a later model, or of a meaning not stated: listed, not read.
            report.add_unused(label);
        }
    }
    report.readings.extend(current);
    Ok(report)
}

/// A `label = value` or `label: value` line, whichever separator comes first; the label
/// trimmed, the value as written.
fn labelled(line: &str) -> Option<(&str, &str)> {
    let at = line.find(['=', ':'])?;
    let label = line[..at].trim();
    (!label.is_empty()).then(|| (label, &line[at + 1..]))
}

fn count_key(label: &str) -> Option<Key> {
    COUNTS
        .iter()
        .find(|(name, _)| label.eq_ignore_ascii_case(name))
        .map(|(_, key)| *key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_message_gives_total_copy_and_print() {
        let text = "DEVICE NAME: 3F north\nDEVICE MODEL: MX-3631\nSERIAL NUMBER: 05012345\nMACHINE CODE: abc\nCurrent device counter information:\ncopy count = 2,345\nPrint Count = 9000\nTotal Count= 12345\nFax Count = 10\nColor Total Count : 55\nLocation: 3F\n";
        assert!(is_sharp(text));
        let report = read(text).unwrap();
        assert_eq!(
            report.readings,
            vec![Reading {
                serial: "05012345".into(),
                read_at: None,
                counters: vec![
                    (Key::Copy, "2345".into()),
                    (Key::Print, "9000".into()),
                    (Key::Total1, "12345".into()),
                ],
            }]
        );
        assert_eq!(report.unused, ["Fax Count", "Color Total Count"]);
    }

    #[test]
    fn alert_messages_and_other_text_are_not_status_messages() {
        assert!(!is_sharp(
            "DEVICE NAME: x\nSERIAL NUMBER: 1\nDevice has detected:\n!!!! Paper jam !!!!\n"
        ));
        assert!(!is_sharp("serial: A\ntotal1: 5\n"));
    }

    #[test]
    fn counts_without_serial_or_numbers_are_refused() {
        assert_eq!(read("Total Count = 5\n"), Err(Refusal::MissingSerial));
        assert_eq!(
            read("SERIAL NUMBER: 1\nTotal Count = n/a\n"),
            Err(Refusal::BadValue {
                name: "Total Count".into(),
                text: "n/a".into()
            })
        );
    }
}
