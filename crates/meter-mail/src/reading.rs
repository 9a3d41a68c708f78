//! A reading as the text formats give it, and its item of the ingest body.

use meterport_domain::counters::Key;

use crate::Refusal;

/// One device's counters at one time, read from a key:value block, a Sharp text or a CSV row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub serial: String,
    /// RFC 3339 with offset; `None`: the mail's `Date:`.
    pub read_at: Option<String>,
    /// Keys with their values as JSON number texts ([`number`]), in the order met. A key
    /// given twice stays twice: the ingest service refuses the duplicate and names it.
    pub counters: Vec<(Key, String)>,
}

impl Reading {
    pub fn needs_date(&self) -> bool {
        self.read_at.is_none()
    }

    /// Appends the reading as one item of the ingest body. `date` is the mail's `Date:` in
    /// RFC 3339, used when the reading has no time of its own.
    pub fn write(&self, out: &mut String, date: Option<&str>) {
        let read_at = self.read_at.as_deref().or(date).unwrap_or_default();
        out.push_str("{\"serial\":");
        push_string(out, &self.serial);
        out.push_str(",\"read_at\":");
        push_string(out, read_at);
        out.push_str(",\"counters\":{");
        for (i, (key, value)) in self.counters.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Key names are plain ASCII identifiers, and `number` made each value a JSON
            // number text: both go in as they are.
            out.push('"');
            out.push_str(key.name());
            out.push_str("\":");
            out.push_str(value);
        }
        out.push_str("}}");
    }
}

/// Appends `s` as a JSON string.
fn push_string(out: &mut String, s: &str) {
    // Serialising a string cannot fail.
    out.push_str(&serde_json::to_string(s).expect("a string serialises"));
}

/// What a text format's reader found in one part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub readings: Vec<Reading>,
    /// CSV rows with a serial and no counter value.
    pub skipped_rows: usize,
    /// Column names or labels not mapped to a key, in the order met, without repeats.
    pub unused: Vec<String>,
}

impl Report {
    pub fn add_unused(&mut self, name: &str) {
        if !self.unused.iter().any(|n| n == name) {
            self.unused.push(name.to_string());
        }
    }
}

/// A counter value as a JSON number text: a plain non-negative decimal number as the report
/// wrote it, thousands separators (`12,345`) and leading zeros (which JSON forbids) removed.
/// Anything else (a sign, an exponent, a unit, `1,23`) is not a plain number: `None`.
pub fn number(text: &str) -> Option<String> {
    let text = text.trim();
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (text, None),
    };
    if let Some(frac) = frac
        && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut groups = int.split(',');
    let head = groups.next()?;
    let grouped = int.contains(',');
    let head_ok = !head.is_empty()
        && head.bytes().all(|b| b.is_ascii_digit())
        && (!grouped || head.len() <= 3);
    if !head_ok
        || !groups
            .clone()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut digits: String = std::iter::once(head).chain(groups).collect();
    let zeros = digits.len() - digits.trim_start_matches('0').len();
    digits.drain(..zeros.min(digits.len() - 1));
    if let Some(frac) = frac {
        digits.push('.');
        digits.push_str(frac);
    }
    Some(digits)
}

/// [`number`], or [`Refusal::BadValue`] naming the counter as the report named it.
pub fn value(name: &str, text: &str) -> Result<String, Refusal> {
    number(text).ok_or_else(|| Refusal::BadValue {
        name: name.to_string(),
        text: text.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_are_kept_as_written_without_separators_and_leading_zeros() {
        let cases = [
            ("12345", Some("12345")),
            (" 12,345 ", Some("12345")),
            ("1,234,567", Some("1234567")),
            ("12.345", Some("12.345")),
            ("1,234.50", Some("1234.50")),
            ("000123", Some("123")),
            ("0", Some("0")),
            ("000", Some("0")),
            ("0.5", Some("0.5")),
            ("00.5", Some("0.5")),
            ("", None),
            ("-1", None),
            ("+1", None),
            ("1e3", None),
            ("12 pages", None),
            ("1,23", None),
            ("1234,567", None),
            (",123", None),
            ("12.", None),
            (".5", None),
            ("1.2.3", None),
            ("１２３", None),
        ];
        for (text, want) in cases {
            assert_eq!(number(text).as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn a_reading_becomes_an_item_of_the_ingest_body() {
        let reading = Reading {
            serial: "E1\"X".into(),
            read_at: None,
            counters: vec![(Key::Total1, "12345".into()), (Key::DutyA, "1.500".into())],
        };
        let mut out = String::new();
        reading.write(&mut out, Some("2026-12-01T09:00:00+09:00"));
        assert_eq!(
            out,
            r#"{"serial":"E1\"X","read_at":"2026-12-01T09:00:00+09:00","counters":{"total1":12345,"duty_a":1.500}}"#
        );
    }
}
