//! Meter mails (SPEC I2): counter reports that devices and site tools e-mail to the portal's
//! SMTP listener, read into the body of `POST /api/v1/ingest/readings`, so that the one ingest
//! service judges them with the same rules as an HTTP request.
//!
//! This crate only reads messages: it knows nothing of tenants, devices or storage, and it
//! does not judge what the ingest service judges (known serials, value ranges and classes,
//! duplicates, the clock). It refuses only what it cannot read.
//!
//! A tour, in the order a message is read:
//! - `mime`: the message's parts (mail-parser does the MIME), each part's text or bytes,
//!   and which format a part holds, decided from its content, file name and content type.
//! - `date`: the `Date:` header (a zone name that is not RFC 5322's is the tenant's zone)
//!   and the times written in reports.
//! - One reader per format: `json` (the ingest body itself), `key_value` (`serial: ...`
//!   lines with our counter names), `csv` (header-named columns, with the vendors'
//!   tables), `sharp` (Sharp's status mails).
//! - `reading`: a reading as the text formats give it, its values made JSON numbers, and
//!   its item of the ingest body.
//!
//! One mail is one ingest, all or nothing: the readings of every part go into one body, and
//! any refusal refuses the whole mail.

mod csv;
mod date;
mod json;
mod key_value;
mod mime;
mod reading;
mod sharp;

use jiff::tz::TimeZone;

use crate::mime::PartKind;
use crate::reading::{Reading, Report};

/// The most readings one mail may carry: what one HTTP ingest request may hold, so that a
/// mail's body is always one request the ingest service takes whole.
pub const MAX_READINGS: usize = meterport_domain::ingest::MAX_BATCH;

/// A meter mail read into an ingest body.
#[derive(Debug, Clone, PartialEq)]
pub struct MeterMail {
    /// The body for the ingest service: a JSON array of readings (serial, read_at RFC 3339 with
    /// offset, counters as JSON numbers written exactly as the report wrote them, thousands
    /// separators removed). For the JSON format the message's own JSON: unchanged when it is
    /// the mail's only report and every item has its `read_at`.
    pub body: String,
    /// The format of the mail's first report (a mail may combine several parts).
    pub format: Format,
    /// How many readings the body holds.
    pub readings: usize,
    /// CSV rows that carry a serial but no counter value: skipped, counted for the reply.
    pub skipped_rows: usize,
    /// CSV header names (and text lines' labels, for the Sharp text format) that were not
    /// mapped to a counter key, in the order met, without repeats (e.g. `A3/DLT`, which
    /// mixes two paper sizes and must not be forced into one key).
    pub unused_columns: Vec<String>,
}

/// The format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The ingest API's own JSON body.
    Json,
    /// `serial: ...`, `read_at: ...` and `counter: value` lines with our counter names.
    KeyValue,
    /// A CSV attachment whose header row names the columns.
    Csv(CsvDialect),
    /// Sharp's e-mailed status message (`SERIAL NUMBER: ...`, `Total Count = ...`).
    SharpText,
}

/// Whose column names a CSV uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvDialect {
    /// Our own counter key names with `serial` and `read_at`.
    Meterport,
    /// Ricoh Remote Communication Gate / @Remote counter notification.
    Ricoh,
    /// KYOCERA Net Viewer / Fleet Services counter reports.
    Kyocera,
}

/// Why a message carries no usable report. No sentences: the portal words each variant in
/// Japanese and English (SMTP reply text, admin listing). Variants carry their arguments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The message is not a readable MIME message.
    #[error("unreadable message")]
    Unreadable,
    /// No part of the message holds a report in a known format.
    #[error("no report")]
    NoReport,
    /// A report without `read_at` in a mail without a usable `Date:` header.
    #[error("no date")]
    NoDate,
    /// A date that cannot be read (`read_at:` line or value, CSV date column, Date: header).
    #[error("bad date: {text}")]
    BadDate { text: String },
    /// A `key: value` line whose key is not a C1 counter name (key:value format only; CSV
    /// columns are listed in `unused_columns` instead).
    #[error("unknown counter: {name}")]
    UnknownCounter { name: String },
    /// A counter value that is not a plain non-negative decimal number.
    #[error("bad value for {name}: {text}")]
    BadValue { name: String, text: String },
    /// A report (a key:value block, a Sharp text, a CSV row with counters) without serial.
    #[error("missing serial")]
    MissingSerial,
    /// A JSON part that is not valid JSON (detail: serde_json's message), or a JSON key given twice.
    #[error("bad json: {detail}")]
    BadJson { detail: String },
    /// More than `MAX_READINGS` readings in one mail.
    #[error("more than {limit} readings")]
    TooManyReadings { limit: usize },
}

/// Reads a meter mail. `zone` is the tenant's time zone, used for a Date: header whose zone
/// is a name that is neither numeric nor one of RFC 5322's (devices write `JST`), and for
/// any local time without offset in a report.
pub fn read(message: &[u8], zone: &TimeZone) -> Result<MeterMail, Refusal> {
    let mail = mime::Mail::parse(message)?;
    let mut reports: Vec<(Format, Body)> = Vec::new();
    let mut count = 0usize;
    for part in mail.parts() {
        let (format, body) = match part.kind {
            PartKind::Json => {
                let text = part.text();
                let json = json::read(&text)?;
                (Format::Json, Body::Json(json))
            }
            PartKind::Csv => {
                let text = part.csv_text();
                match csv::read(&text, zone, MAX_READINGS - count)? {
                    Some((dialect, report)) => (Format::Csv(dialect), Body::Readings(report)),
                    None => continue,
                }
            }
            PartKind::Text => {
                let text = part.text();
                if sharp::is_sharp(&text) {
                    (Format::SharpText, Body::Readings(sharp::read(&text)?))
                } else if let Some(report) = key_value::read(&text, zone)? {
                    (Format::KeyValue, Body::Readings(report))
                } else {
                    continue;
                }
            }
        };
        count += body.len();
        if count > MAX_READINGS {
            return Err(Refusal::TooManyReadings {
                limit: MAX_READINGS,
            });
        }
        reports.push((format, body));
    }
    let Some(&(format, _)) = reports.first() else {
        return Err(Refusal::NoReport);
    };
    // The Date: header is read only when a report needs it: a broken header in a mail whose
    // reports all carry their times refuses nothing.
    let needs_date = reports.iter().any(|(_, b)| b.needs_date());
    let date = if needs_date {
        Some(mail.date(zone)?)
    } else {
        None
    };
    let date = date.as_deref();

    let mut mail_out = MeterMail {
        body: String::new(),
        format,
        readings: count,
        skipped_rows: 0,
        unused_columns: Vec::new(),
    };
    if let [(_, Body::Json(json))] = reports.as_slice()
        && !json.needs_date()
    {
        // The message's own JSON, unchanged: the ingest service checks it strictly.
        mail_out.body = json.text.clone();
        return Ok(mail_out);
    }
    let mut out = String::with_capacity(64 * count + 2);
    out.push('[');
    let mut first = true;
    for (_, body) in &reports {
        match body {
            Body::Json(json) => json.write_items(&mut out, &mut first, date)?,
            Body::Readings(report) => {
                mail_out.skipped_rows += report.skipped_rows;
                for name in &report.unused {
                    if !mail_out.unused_columns.contains(name) {
                        mail_out.unused_columns.push(name.clone());
                    }
                }
                for reading in &report.readings {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    reading.write(&mut out, date);
                }
            }
        }
    }
    out.push(']');
    mail_out.body = out;
    Ok(mail_out)
}

/// What one part gave.
enum Body {
    Json(json::JsonPart),
    Readings(Report),
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::Json(json) => json.items.len(),
            Body::Readings(report) => report.readings.len(),
        }
    }

    fn needs_date(&self) -> bool {
        match self {
            Body::Json(json) => json.needs_date(),
            Body::Readings(report) => report.readings.iter().any(Reading::needs_date),
        }
    }
}
