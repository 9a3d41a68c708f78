//! CSV reports: a header row that names the columns, then one reading per row.
//!
//! Which column fills which key comes from a table per dialect: our own key names, Ricoh's
//! and Kyocera's counter report columns. A key is filled only from a column that means
//! exactly what SPEC C1 means by it. A column that counts a part of a key (full colour when
//! single and two-colour prints are counted apart, black-and-white scans of `scan_send`), or
//! two keys at once (`A3/DLT`: A3 and Ledger), fills nothing and is listed in
//! `unused_columns`, as is every column the table does not know. Each key has one row in a
//! table, with the spellings of its one column; when a file holds two spellings of it, the
//! first fills the key and the second is listed as unused.
//!
//! Header names match after trimming, case-insensitively, with runs of spaces as one. No
//! Japanese header names are listed: neither vendor's manuals that were found document the
//! Japanese headings of these exports, and a guessed heading would be a guessed meaning.

use jiff::tz::TimeZone;
use meterport_domain::counters::Key;

use crate::date::report_time;
use crate::reading::{Reading, Report, value};
use crate::{CsvDialect, Refusal};

/// What a known column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Serial,
    Date,
    Counter(Key),
}

/// A known column: its spellings (lower case, single spaces) and what it holds.
struct Column {
    names: &'static [&'static str],
    field: Field,
}

const fn col(names: &'static [&'static str], field: Field) -> Column {
    Column { names, field }
}

const fn counter(names: &'static [&'static str], key: Key) -> Column {
    col(names, Field::Counter(key))
}

/// Ricoh Remote Communication Gate S / @Remote counter notification CSV.
///
/// Column names: Ricoh "Remote Communication Gate S Administrator Operations Guide",
/// counter notification by e-mail ("The items that appear in the CSV file are as follows:
/// IP Address, Device Display Name, Physical Address, Serial Number, Total Counter, Copier
/// B&W Counter, Copier Full Color Counter, Copier Single Color Counter, Copier Two-color
/// Counter, Printer B&W Counter, Printer Full Color Counter, Printer Single Color Counter,
/// Printer Two-color Counter, Total Level Color Counter, Fax B&W Counter, Fax Single Color
/// Counter, A3/DLT, A2, 2 Sided, Coverage: ..., Send/TX Total B&W Counter, Send/TX Total
/// Color Counter, Fax Transmission Counter, Scanner Send B&W Counter, Scanner Send Color
/// Counter, B&W Copies, Color Copies, B&W Prints, Color Prints, Economy Color Counter, B&W
/// Total, Color Total"); site tools also write the names without " Counter". The guide
/// maps these names to the device's web names in a table that was not found; the meanings
/// below come from Ricoh's counter type names instead (the Ricoh private MIB's counter
/// list, as transcribed by a public SNMP reader: "Counter: Machine Total", "Copier: Black &
/// White", "Copier: Color" beside "Copier: Full Color" / "Single Color" / "Two-color", the
/// same for "Printer:", "Total Prints: Color", "Total Prints: Black & White", "No. of
/// Printed Sides in Duplex", "Large Paper Prints: >= A3, DLT"), and from Checkmk's Ricoh
/// test data, where "Total Prints: Color" and "Total Prints: Black & White" add up to
/// "Counter: Machine Total". That `Color Copies`, `Color Prints`, `B&W Total`, `Color Total`
/// and `2 Sided` are these counters is read from their names.
///
/// Left unused, with why:
/// - Copier/Printer Full Color, Single Color, Two-color, Total Level Color: each one colour
///   mode; Ricoh counts the three modes apart, so none is all colour copies or prints (the
///   collector's Ricoh table leaves full colour out for the same reason). `Color Copies`
///   and `Color Prints` are the wholes.
/// - B&W Copies, B&W Prints: second columns for black-and-white copies and prints, which
///   `Copier B&W` and `Printer B&W` already fill.
/// - Fax B&W, Fax Single Color: fax prints by colour mode, each a part of `receive`.
/// - A3/DLT (A3 and Ledger together), A2 (no C1 size), coverage, Economy Color.
/// - Send/TX Total, Fax Transmission, Scanner Send B&W, Scanner Send Color: transmissions by
///   route and colour, each a part of what is sent; no column is all of `scan_send`.
/// - IP Address, Device Display Name, Physical Address: not counters.
///
/// The notification CSV has no date column (Ricoh sends it at 0:00, so the mail's `Date:`
/// is the time); `Date` and `Date/Time` are read when a site tool adds one.
const RICOH: &[Column] = &[
    col(&["serial number"], Field::Serial),
    col(&["date", "date/time"], Field::Date),
    counter(&["total counter"], Key::Total1),
    counter(&["copier b&w counter", "copier b&w"], Key::MonoCopy),
    counter(&["printer b&w counter", "printer b&w"], Key::MonoPrint),
    counter(&["color copies"], Key::ColorCopy),
    counter(&["color prints"], Key::ColorPrint),
    counter(&["color total"], Key::Color),
    counter(&["b&w total"], Key::Mono),
    // "No. of Printed Sides in Duplex": sides printed two-sided, which the function
    // counters already count, as C1's duplex.
    counter(&["2 sided"], Key::Duplex),
];

/// KYOCERA Net Viewer / Fleet Services counter reports and the device's counter report.
///
/// Column names: KYOCERA Net Viewer's counter report e-mails the columns of its counter
/// view as CSV ("The report contains the same printer system and counter information that
/// is shown in the view": KYOCERA Net Viewer Operation Guide, Counter Reports). No
/// published list of the view's headings was found: the spellings below are Kyocera's own
/// counter names (total printed; copy and printer by black & white and full colour; FAX;
/// Duplex), and every other heading is listed as unused, never guessed.
///
/// Meanings: KYOCERA operation guides, Job Accounting ("FAX: Displays the number of pages
/// received", which is C1's `receive`; "Duplex (2-sided)"), and the collector's Kyocera
/// table, so that mail and SNMP give a device the same numbers: "total printed" is Total 1
/// (not the life count), and Kyocera's colour counters are its full-colour counters.
///
/// Left unused: scanned pages (by route, or a total whose heading is not known), FAX TX
/// pages (transmissions, one part of `scan_send`), single colour (its own mode).
///
/// A date column is read when the export has one (`Date`, `Date/Time`); else the mail's
/// `Date:` is the time, the report being sent when it is made.
const KYOCERA: &[Column] = &[
    col(&["serial number"], Field::Serial),
    col(&["date", "date/time"], Field::Date),
    counter(&["total printed"], Key::Total1),
    counter(&["copy b&w", "copy black & white"], Key::MonoCopy),
    counter(&["copy color", "copy full color"], Key::ColorCopy),
    counter(&["printer b&w", "printer black & white"], Key::MonoPrint),
    counter(&["printer color", "printer full color"], Key::ColorPrint),
    counter(&["full color"], Key::Color),
    counter(&["fax"], Key::Receive),
    counter(&["duplex", "duplex (2-sided)"], Key::Duplex),
];

/// The dialects in the order they win a tie.
const DIALECTS: [CsvDialect; 3] = [
    CsvDialect::Meterport,
    CsvDialect::Ricoh,
    CsvDialect::Kyocera,
];

/// What a header name means in a dialect. Our own dialect uses the API's names: `serial`,
/// `read_at` and the C1 keys.
fn field(dialect: CsvDialect, name: &str) -> Option<Field> {
    let table = match dialect {
        CsvDialect::Meterport => {
            return match name {
                "serial" => Some(Field::Serial),
                "read_at" => Some(Field::Date),
                _ => Key::from_name(name).map(Field::Counter),
            };
        }
        CsvDialect::Ricoh => RICOH,
        CsvDialect::Kyocera => KYOCERA,
    };
    table
        .iter()
        .find(|c| c.names.contains(&name))
        .map(|c| c.field)
}

/// A header name as the tables write it: trimmed, lower case, runs of spaces as one.
fn normalise(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Reads a CSV part: `None` when its header names no counter column of any dialect (it is
/// not a counter report). At most `limit` readings are taken.
pub fn read(
    text: &str,
    zone: &TimeZone,
    limit: usize,
) -> Result<Option<(CsvDialect, Report)>, Refusal> {
    // Ricoh's RC Gate writes its CSV files after `# Format Version: ...` comment lines.
    let mut rest = text;
    let header = loop {
        let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            if tail.is_empty() {
                return Ok(None);
            }
            rest = tail;
            continue;
        }
        break line;
    };
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(header))
        .from_reader(rest.as_bytes())
        .into_records();
    let Some(Ok(names)) = rows.next() else {
        return Ok(None);
    };
    let names: Vec<&str> = names.iter().map(str::trim).collect::<Vec<_>>();
    let normalised: Vec<String> = names.iter().map(|n| normalise(n)).collect();

    let Some(dialect) = best_dialect(&normalised) else {
        return Ok(None);
    };
    let mut report = Report::default();
    let (mut serial_col, mut date_col) = (None, None);
    let mut counters: Vec<(usize, Key)> = Vec::new();
    for (i, name) in normalised.iter().enumerate() {
        match field(dialect, name) {
            Some(Field::Serial) if serial_col.is_none() => serial_col = Some(i),
            Some(Field::Date) if date_col.is_none() => date_col = Some(i),
            Some(Field::Counter(key)) if !counters.iter().any(|(_, k)| *k == key) => {
                counters.push((i, key));
            }
            _ if !names[i].is_empty() => report.add_unused(names[i]),
            _ => {}
        }
    }

    for row in rows {
        // The reader fails only on I/O (none: it reads a string) and on invalid UTF-8 (none:
        // the input is a string, split at ASCII delimiters), and, being flexible, never on
        // rows of another length; an open quote runs to the end, as spreadsheets read it.
        let Ok(row) = row else { continue };
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or("").trim();
        let serial = cell(serial_col);
        let mut values = Vec::new();
        for &(i, key) in &counters {
            let text = cell(Some(i));
            if !text.is_empty() {
                values.push((key, value(names[i], text)?));
            }
        }
        match (serial.is_empty(), values.is_empty()) {
            (false, true) => {
                report.skipped_rows += 1;
                continue;
            }
            // Neither serial nor counters: a note or total line of the export.
            (true, true) => continue,
            (true, false) => return Err(Refusal::MissingSerial),
            (false, false) => {}
        }
        if report.readings.len() == limit {
            return Err(Refusal::TooManyReadings {
                limit: crate::MAX_READINGS,
            });
        }
        let date = cell(date_col);
        let read_at = if date.is_empty() {
            None
        } else {
            Some(report_time(date, zone)?)
        };
        report.readings.push(Reading {
            serial: serial.to_string(),
            read_at,
            counters: values,
        });
    }
    Ok(Some((dialect, report)))
}

/// `,` unless the header line holds more `;` or tabs (spreadsheets in locales whose decimal
/// mark is the comma write `;`; some tools write tabs).
fn delimiter(header: &str) -> u8 {
    let count = |c: char| header.matches(c).count();
    let (commas, semicolons, tabs) = (count(','), count(';'), count('\t'));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// The dialect whose table names the most counter columns of the header; `None` when no
/// dialect names one.
fn best_dialect(names: &[String]) -> Option<CsvDialect> {
    let mut best = None;
    let mut best_count = 0;
    for dialect in DIALECTS {
        let count = names
            .iter()
            .filter(|n| matches!(field(dialect, n), Some(Field::Counter(_))))
            .count();
        if count > best_count {
            best = Some(dialect);
            best_count = count;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo() -> TimeZone {
        TimeZone::get("Asia/Tokyo").unwrap()
    }

    fn read_ok(text: &str) -> (CsvDialect, Report) {
        read(text, &tokyo(), crate::MAX_READINGS).unwrap().unwrap()
    }

    #[test]
    fn no_table_fills_a_key_from_two_columns_or_knows_a_name_twice() {
        for (dialect, table) in [(CsvDialect::Ricoh, RICOH), (CsvDialect::Kyocera, KYOCERA)] {
            let mut fields: Vec<String> = table.iter().map(|c| format!("{:?}", c.field)).collect();
            let all = fields.len();
            fields.sort_unstable();
            fields.dedup();
            assert_eq!(fields.len(), all, "{dialect:?}: a key has two columns");
            let mut names: Vec<&str> = table.iter().flat_map(|c| c.names.iter().copied()).collect();
            let all = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), all, "{dialect:?}: a name is listed twice");
            for name in names {
                assert_eq!(
                    name,
                    normalise(name),
                    "{dialect:?}: {name} is not normalised"
                );
                assert!(field(dialect, name).is_some());
            }
        }
        // Our own dialect: one name per key by construction (the API's names).
        for key in meterport_domain::counters::ALL_KEYS {
            assert_eq!(
                field(CsvDialect::Meterport, key.name()),
                Some(Field::Counter(key))
            );
        }
    }

    #[test]
    fn columns_that_mean_part_of_a_key_or_two_keys_fill_nothing() {
        for name in [
            "a3/dlt",
            "copier full color counter",
            "printer full color counter",
            "printer two-color counter",
            "fax b&w counter",
            "scanner send b&w counter",
            "scanner send color counter",
            "b&w copies",
        ] {
            assert_eq!(field(CsvDialect::Ricoh, name), None, "{name}");
        }
    }

    #[test]
    fn a_ricoh_notification_reads_with_comments_quotes_and_separators() {
        let text = "# Format Version: 6.1.1.X\r\n# Generated at: 2026/12/01 00:00\r\n\
            IP Address,Serial Number,Total Counter,Copier B&W Counter,Color Copies,A3/DLT,Printer  B&W\r\n\
            10.0.0.5,E123,\"12,345\",100,20,7,\r\n\
            10.0.0.6,E124,,,,,\r\n\
            ,,,,,,\r\n";
        let (dialect, report) = read_ok(text);
        assert_eq!(dialect, CsvDialect::Ricoh);
        assert_eq!(
            report.readings,
            vec![Reading {
                serial: "E123".into(),
                read_at: None,
                counters: vec![
                    (Key::Total1, "12345".into()),
                    (Key::MonoCopy, "100".into()),
                    (Key::ColorCopy, "20".into()),
                ],
            }]
        );
        assert_eq!(report.skipped_rows, 1);
        assert_eq!(report.unused, ["IP Address", "A3/DLT"]);
    }

    #[test]
    fn our_own_columns_with_semicolons_and_local_times() {
        let text = "serial;read_at;total1;duty_a\nL1;2026/12/01 09:00;1000;12.5\n";
        let (dialect, report) = read_ok(text);
        assert_eq!(dialect, CsvDialect::Meterport);
        assert_eq!(
            report.readings[0].read_at.as_deref(),
            Some("2026-12-01T09:00:00+09:00")
        );
        assert_eq!(report.readings[0].counters[1], (Key::DutyA, "12.5".into()));
    }

    #[test]
    fn a_second_spelling_of_a_key_s_column_is_unused() {
        let (_, report) = read_ok("Serial Number,Copier B&W,Copier B&W Counter\nA,1,2\n");
        assert_eq!(
            report.readings[0].counters,
            [(Key::MonoCopy, "1".to_string())]
        );
        assert_eq!(report.unused, ["Copier B&W Counter"]);
    }

    #[test]
    fn refusals_name_the_column_and_the_text() {
        let z = tokyo();
        assert_eq!(
            read("Serial Number,Total Counter\nA,12k\n", &z, 10),
            Err(Refusal::BadValue {
                name: "Total Counter".into(),
                text: "12k".into()
            })
        );
        assert_eq!(
            read("IP Address,Total Counter\n10.0.0.1,5\n", &z, 10),
            Err(Refusal::MissingSerial)
        );
        assert_eq!(
            read("serial,read_at,total1\nA,yesterday,5\n", &z, 10),
            Err(Refusal::BadDate {
                text: "yesterday".into()
            })
        );
        assert_eq!(
            read("serial,total1\nA,1\nB,2\n", &z, 1),
            Err(Refusal::TooManyReadings {
                limit: crate::MAX_READINGS
            })
        );
        assert_eq!(read("Name,Location\nA,3F\n", &z, 10), Ok(None));
        assert_eq!(read("", &z, 10), Ok(None));
    }
}
