//! The JSON format: the ingest API's own body (one reading object, or an array of them), as
//! the message body or a `.json` attachment.
//!
//! Items are kept as the sender wrote them ([`RawValue`]), so the ingest service sees the
//! sender's own text and checks it strictly: counter values keep their digits, and a key
//! given twice stays for the ingest service to refuse. Only an item without `read_at` is
//! rewritten (to add the mail's `Date:`), and rewriting goes through a map that would keep
//! one of two equal keys silently: such a part is checked for duplicate keys first.

use std::collections::BTreeMap;

use meterport_domain::json::find_duplicate_key;
use serde_json::value::RawValue;

use crate::Refusal;

/// A JSON part, read.
#[derive(Debug)]
pub struct JsonPart {
    /// The part's text as sent.
    pub text: String,
    /// Its items: the array's elements, or the one object.
    pub items: Vec<Box<RawValue>>,
    /// Per item: an object without `read_at`, to be given the mail's `Date:`.
    missing: Vec<bool>,
}

/// Reads a JSON part: valid JSON, or [`Refusal::BadJson`] with serde_json's account.
pub fn read(text: &str) -> Result<JsonPart, Refusal> {
    let bad = |e: serde_json::Error| Refusal::BadJson {
        detail: e.to_string(),
    };
    let items: Vec<Box<RawValue>> = if text.trim_start().starts_with('[') {
        serde_json::from_str(text).map_err(bad)?
    } else {
        vec![serde_json::from_str(text).map_err(bad)?]
    };
    let missing: Vec<bool> = items
        .iter()
        .map(|item| {
            // An item that is not an object is left to the ingest service to refuse.
            serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(item.get())
                .is_ok_and(|map| !map.contains_key("read_at"))
        })
        .collect();
    if missing.contains(&true)
        && let Some(dup) = find_duplicate_key(text)
    {
        return Err(Refusal::BadJson {
            detail: dup.to_string(),
        });
    }
    Ok(JsonPart {
        text: text.to_string(),
        items,
        missing,
    })
}

impl JsonPart {
    /// Whether an item takes its time from the mail's `Date:`.
    pub fn needs_date(&self) -> bool {
        self.missing.contains(&true)
    }

    /// Appends the items to an array being written, `date` (RFC 3339) given to those
    /// without `read_at`.
    pub fn write_items(
        &self,
        out: &mut String,
        first: &mut bool,
        date: Option<&str>,
    ) -> Result<(), Refusal> {
        for (item, missing) in self.items.iter().zip(&self.missing) {
            if !*first {
                out.push(',');
            }
            *first = false;
            if !*missing {
                out.push_str(item.get());
                continue;
            }
            let date = date.ok_or(Refusal::NoDate)?;
            let mut map: BTreeMap<String, Box<RawValue>> =
                serde_json::from_str(item.get()).expect("checked to be an object when read");
            let read_at = serde_json::to_string(date).expect("a string serialises");
            map.insert(
                "read_at".to_string(),
                RawValue::from_string(read_at).expect("a JSON string"),
            );
            out.push_str(&serde_json::to_string(&map).expect("raw values serialise"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(part: &JsonPart, date: &str) -> serde_json::Value {
        let mut out = String::from("[");
        let mut first = true;
        part.write_items(&mut out, &mut first, Some(date)).unwrap();
        out.push(']');
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn items_with_read_at_are_kept_as_written() {
        let text =
            r#"[{"serial":"A","read_at":"2026-12-01T09:00:00+09:00","counters":{"total1":1.50}}]"#;
        let part = read(text).unwrap();
        assert!(!part.needs_date());
        let mut out = String::new();
        let mut first = true;
        part.write_items(&mut out, &mut first, None).unwrap();
        assert_eq!(out, &text[1..text.len() - 1]);
    }

    #[test]
    fn an_item_without_read_at_gets_the_mail_s_date_and_keeps_its_digits() {
        let part = read(r#"{"serial":"A","counters":{"duty_a":12.500}}"#).unwrap();
        assert!(part.needs_date());
        let mut out = String::new();
        let mut first = true;
        part.write_items(&mut out, &mut first, Some("2026-12-01T09:00:00+09:00"))
            .unwrap();
        assert!(out.contains(r#""duty_a":12.500"#), "{out}");
        assert_eq!(
            written(&part, "2026-12-01T09:00:00+09:00"),
            serde_json::json!([{"serial": "A", "read_at": "2026-12-01T09:00:00+09:00",
                "counters": {"duty_a": 12.5}}])
        );
    }

    #[test]
    fn a_key_given_twice_is_refused_before_an_item_is_rewritten() {
        let err = read(r#"[{"serial":"A","counters":{"total1":1,"total1":2}}]"#).unwrap_err();
        assert_eq!(
            err,
            Refusal::BadJson {
                detail: "item 0: counters.total1 is given twice".into()
            }
        );
        // With every read_at given, the text goes on unchanged for the ingest to refuse.
        let text = r#"[{"serial":"A","read_at":"2026-12-01T09:00:00Z","counters":{"total1":1,"total1":2}}]"#;
        assert!(read(text).is_ok());
    }

    #[test]
    fn text_that_is_not_json_is_refused_with_the_parser_s_account() {
        let err = read("[{\"serial\": }").unwrap_err();
        assert!(
            matches!(&err, Refusal::BadJson { detail } if detail.contains("line 1")),
            "{err:?}"
        );
    }
}
