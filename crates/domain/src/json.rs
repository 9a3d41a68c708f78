//! Strict JSON: a key given twice in one object is ambiguous input, refused, never guessed.
//!
//! RFC 8259 leaves duplicate names to the receiver, and most parsers (serde_json's `Value`
//! and maps among them) keep the last one silently: `{"total1": 150002, "total1": 150003}`
//! would store 150003, a doubled `"serial"` would file a reading under the second serial.
//! serde's derived structs refuse a repeated *field*, but not a repeated key inside a map or
//! a `Value`, so every API body goes through [`find_duplicate_key`] before it is read.
//!
//! Written by hand because no maintained crate reports *where* the duplicate is; the walk
//! is serde_json's own tokenizer driven by a visitor that keeps the path.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

/// Where a key was given twice: the item (the position in a top-level array, 0 for a single
/// object) and the key's path inside it (`counters.total1`, `conditions[0].severity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub index: usize,
    pub path: String,
}

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {}: {} is given twice", self.index, self.path)
    }
}

/// The first key given twice in one object of `text`, or `None`, also for text that is not
/// JSON (the caller's own parser names that problem; a duplicate before a syntax error is
/// still reported as the duplicate).
pub fn find_duplicate_key(text: &str) -> Option<DuplicateKey> {
    let mut path = Vec::new();
    let mut found = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let _ = Walk {
        path: &mut path,
        found: &mut found,
    }
    .deserialize(&mut de);
    let segments = found?;
    let (index, rest) = match (text.trim_start().starts_with('['), segments.split_first()) {
        (true, Some((Segment::Index(i), rest))) => (*i, rest),
        _ => (0, &segments[..]),
    };
    let mut path = String::new();
    for seg in rest {
        match seg {
            Segment::Key(k) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Segment::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    Some(DuplicateKey { index, path })
}

#[derive(Debug, Clone)]
enum Segment {
    Key(String),
    Index(usize),
}

struct Walk<'p> {
    path: &'p mut Vec<Segment>,
    found: &'p mut Option<Vec<Segment>>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            self.path.push(Segment::Index(i));
            let next = seq.next_element_seed(Walk {
                path: &mut *self.path,
                found: &mut *self.found,
            })?;
            self.path.pop();
            if next.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                self.path.push(Segment::Key(key));
                *self.found = Some(self.path.clone());
                return Err(A::Error::custom("duplicate key"));
            }
            seen.insert(key.clone());
            self.path.push(Segment::Key(key));
            map.next_value_seed(Walk {
                path: &mut *self.path,
                found: &mut *self.found,
            })?;
            self.path.pop();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(text: &str) -> Option<(usize, String)> {
        find_duplicate_key(text).map(|d| (d.index, d.path))
    }

    #[test]
    fn a_key_given_twice_is_found_with_its_item_and_path() {
        assert_eq!(
            dup(r#"{"serial":"A","counters":{"total1":1,"total1":2}}"#),
            Some((0, "counters.total1".into()))
        );
        assert_eq!(
            dup(r#"[{"serial":"A"},{"serial":"B","serial":"C"}]"#),
            Some((1, "serial".into()))
        );
        assert_eq!(
            dup(r#"[{"conditions":[{"code":"x"},{"severity":"error","severity":"warning"}]}]"#),
            Some((0, "conditions[1].severity".into()))
        );
        // The same key written with an escape is the same key.
        assert_eq!(
            dup(r#"{"serial":"A","s\u0065rial":"B"}"#),
            Some((0, "serial".into()))
        );
    }

    #[test]
    fn the_same_key_in_different_objects_is_fine() {
        assert_eq!(
            dup(
                r#"[{"serial":"A","counters":{"total1":1}},{"serial":"B","counters":{"total1":1}}]"#
            ),
            None
        );
        assert_eq!(dup(r#"{"a":{"b":1},"b":{"a":2}}"#), None);
        assert_eq!(dup("not json"), None);
    }
}
