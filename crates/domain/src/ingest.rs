//! The wire format of the ingest API (SPEC §7, I1, I4) and its validation.
//!
//! Parsing happens in two steps because a reading's counters can only be judged once its
//! device is known (an LFP takes decimals, an MFP does not; an MFP has no DUTY counters):
//! [`parse_batch`] and [`ReadingDraft::parse`] check the shape of each item, then
//! [`ReadingDraft::finish`] checks it against its device. Counter values are read from the
//! JSON text itself ([`serde_json::value::RawValue`]), never through a float.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::value::RawValue;

use crate::counters::{CounterSet, DeviceClass, Key, ValueError, parse_value};
use crate::device::is_valid_serial;
use crate::json::find_duplicate_key;
use crate::policy::{FieldError, Problem};

/// One refused item of a batch: `{"index", "field", "message"}` in the API's `details`,
/// the message worded from `problem` by the front door (`portal::i18n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    pub index: usize,
    pub field: String,
    pub problem: ItemProblem,
}

impl ItemError {
    pub fn new(index: usize, field: impl Into<String>, problem: ItemProblem) -> ItemError {
        ItemError {
            index,
            field: field.into(),
            problem,
        }
    }

    /// A broken rule of a field inside an item (a condition's code, a supply's name), under
    /// `prefix` (`conditions[0]`, `supplies[2]`).
    pub fn of_field(index: usize, prefix: &str, error: FieldError) -> ItemError {
        ItemError::new(
            index,
            format!("{prefix}.{}", error.field),
            ItemProblem::Field(error.problem),
        )
    }
}

/// What is wrong with an item of an ingest request (readings or status reports), typed with
/// what a message needs; `portal::i18n` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemProblem {
    /// A rule the forms share ([`Problem::Required`], a condition's or supply's checks).
    Field(Problem),
    /// The item is not a JSON object.
    NotAnObject,
    /// A key is given twice in one object ([`crate::json`]).
    DuplicateKey,
    /// The item does not have the fields of a report; `detail` is the JSON parser's account.
    InvalidShape {
        detail: String,
    },
    NotAString,
    Empty,
    /// Not a serial number by the rule of [`is_valid_serial`].
    InvalidSerial,
    /// Not an RFC 3339 timestamp with an offset.
    InvalidTimestamp,
    /// An RFC 3339 offset beyond 23:59 (`offset` as written, `+24:00`).
    NoSuchOffset {
        offset: String,
    },
    /// A member a reading does not have.
    NotAReadingField,
    CountersNotAnObject,
    NoCounters,
    UnknownCounter,
    /// Later than the clock allows ([`MAX_FUTURE_MS`], in minutes).
    InFuture {
        minutes: i64,
    },
    /// Before the tenant's retention starts (`start` as an RFC 3339 UTC time).
    BeforeRetention {
        start: String,
    },
    /// A counter the device's class does not have.
    NotACounterOf {
        class: DeviceClass,
    },
    /// A counter value the device's unit cannot take.
    Value(ValueError),
    /// No device of the tenant has this serial (another tenant's reads the same).
    UnknownSerial,
    /// A condition code given twice in one report.
    GivenTwice,
    /// More supplies than one report may list.
    TooManySupplies {
        max: usize,
    },
    /// The same serial and `read_at` as an earlier item of the request, other counters.
    ConflictsWithItem {
        item: usize,
    },
    /// The same serial and `read_at` as a stored reading, other counters.
    ConflictsWithStored,
}

/// How far in the future a `read_at` may be (device clocks drift).
pub const MAX_FUTURE_MS: i64 = 10 * 60 * 1000;

impl ItemProblem {
    /// A time later than [`MAX_FUTURE_MS`] from now.
    pub fn in_future() -> ItemProblem {
        ItemProblem::InFuture {
            minutes: MAX_FUTURE_MS / 60_000,
        }
    }

    /// A short, stable name of the problem, for counting refusals by reason (the portal's
    /// ingest metrics); the sentences are `portal::i18n`'s.
    pub fn reason(&self) -> &'static str {
        use crate::counters::ValueError;
        match self {
            ItemProblem::Field(p) => p.code(),
            ItemProblem::NotAnObject => "not_an_object",
            ItemProblem::DuplicateKey => "duplicate_key",
            ItemProblem::InvalidShape { .. } => "invalid_shape",
            ItemProblem::NotAString => "not_a_string",
            ItemProblem::Empty => "empty",
            ItemProblem::InvalidSerial => "invalid_serial",
            ItemProblem::InvalidTimestamp => "invalid_timestamp",
            ItemProblem::NoSuchOffset { .. } => "no_such_offset",
            ItemProblem::NotAReadingField => "unknown_field",
            ItemProblem::CountersNotAnObject => "counters_not_an_object",
            ItemProblem::NoCounters => "no_counters",
            ItemProblem::UnknownCounter => "unknown_counter",
            ItemProblem::InFuture { .. } => "in_future",
            ItemProblem::BeforeRetention { .. } => "before_retention",
            ItemProblem::NotACounterOf { .. } => "not_a_counter_of_class",
            ItemProblem::Value(v) => match v {
                ValueError::NotANumber => "not_a_number",
                ValueError::Negative => "negative",
                ValueError::Fractional => "fractional",
                ValueError::TooPrecise => "too_precise",
                ValueError::TooLarge => "too_large",
                ValueError::Exponent => "exponent",
            },
            ItemProblem::UnknownSerial => "unknown_serial",
            ItemProblem::GivenTwice => "given_twice",
            ItemProblem::TooManySupplies { .. } => "too_many_supplies",
            ItemProblem::ConflictsWithItem { .. } | ItemProblem::ConflictsWithStored => "conflict",
        }
    }
}
/// The largest batch accepted in one request.
pub const MAX_BATCH: usize = 50_000;

pub type RawItem = BTreeMap<String, Box<RawValue>>;

/// Why a whole request body was refused before its items were looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON; `detail` is the JSON parser's account, for programs.
    InvalidJson { detail: String },
    /// More items than one request may hold.
    TooManyItems { max: usize },
    /// JSON, but neither an object nor an array.
    NotObjectOrArray,
}

impl BodyError {
    fn json(e: serde_json::Error) -> BodyError {
        BodyError::InvalidJson {
            detail: e.to_string(),
        }
    }
}

/// Splits a request body into items: one object, or an array of objects. An item that is
/// not an object, or that gives a key twice ([`crate::json`]), is refused with its reason.
pub fn parse_batch(body: &str) -> Result<Vec<Result<RawItem, ItemError>>, BodyError> {
    let trimmed = body.trim_start();
    let item = |index: usize, text: &str| -> Result<RawItem, ItemError> {
        if let Some(dup) = find_duplicate_key(text) {
            return Err(ItemError::new(index, dup.path, ItemProblem::DuplicateKey));
        }
        serde_json::from_str::<RawItem>(text)
            .map_err(|_| ItemError::new(index, "", ItemProblem::NotAnObject))
    };
    if trimmed.starts_with('[') {
        let items: Vec<Box<RawValue>> = serde_json::from_str(body).map_err(BodyError::json)?;
        if items.len() > MAX_BATCH {
            return Err(BodyError::TooManyItems { max: MAX_BATCH });
        }
        Ok(items
            .iter()
            .enumerate()
            .map(|(index, raw)| item(index, raw.get()))
            .collect())
    } else if trimmed.starts_with('{') {
        serde_json::from_str::<&RawValue>(body).map_err(BodyError::json)?;
        Ok(vec![item(0, body)])
    } else {
        Err(BodyError::NotObjectOrArray)
    }
}

/// A reading whose shape is valid, not yet checked against its device. Its counter values
/// are the literal JSON numbers, borrowed from the request body where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingDraft<'a> {
    pub serial: String,
    pub read_at_ms: i64,
    /// Known keys with their literal JSON values, in the order of the keys' names.
    pub counters: Vec<(Key, Cow<'a, str>)>,
}

/// Parses a request body into reading drafts, or the problems of each item: one object or
/// an array of objects (at most [`MAX_BATCH`]).
///
/// Two ways, one result: a well-formed body (every item exactly a reading, as devices send
/// them) is read in one pass that borrows from the body; anything else is read again item
/// by item with [`parse_batch`] and [`ReadingDraft::parse`], which name every problem.
#[allow(clippy::type_complexity)]
pub fn parse_readings(
    body: &str,
) -> Result<Vec<Result<ReadingDraft<'_>, Vec<ItemError>>>, BodyError> {
    if let Some(drafts) = parse_well_formed(body) {
        return Ok(drafts.into_iter().map(Ok).collect());
    }
    parse_item_by_item(body)
}

/// The long way of [`parse_readings`]: item by item, naming every problem.
#[allow(clippy::type_complexity)]
fn parse_item_by_item(
    body: &str,
) -> Result<Vec<Result<ReadingDraft<'static>, Vec<ItemError>>>, BodyError> {
    let items = parse_batch(body)?;
    Ok(items
        .iter()
        .enumerate()
        .map(|(index, item)| match item {
            Err(e) => Err(vec![e.clone()]),
            Ok(raw) => ReadingDraft::parse(index, raw).map(ReadingDraft::into_owned),
        })
        .collect())
}

/// The one-pass reading of a body whose every item is well formed; `None` as soon as
/// anything is not, and [`parse_readings`] takes the long way.
fn parse_well_formed(body: &str) -> Option<Vec<ReadingDraft<'_>>> {
    let trimmed = body.trim_start();
    let items: Vec<WireReading<'_>> = if trimmed.starts_with('[') {
        serde_json::from_str(body).ok()?
    } else if trimmed.starts_with('{') {
        vec![serde_json::from_str(body).ok()?]
    } else {
        return None;
    };
    if items.len() > MAX_BATCH {
        return None;
    }
    items
        .into_iter()
        .map(|item| {
            let serial = item.serial.trim();
            let read_at = item.read_at.trim();
            if !is_valid_serial(serial) || read_at.is_empty() || item.counters.0.is_empty() {
                return None;
            }
            let read_at_ms = parse_instant(read_at).ok()?;
            let mut counters = item.counters.0;
            counters.sort_unstable_by_key(|(key, _)| key.name());
            Some(ReadingDraft {
                serial: serial.to_string(),
                read_at_ms,
                counters: counters
                    .into_iter()
                    .map(|(key, raw)| (key, Cow::Borrowed(raw.get())))
                    .collect(),
            })
        })
        .collect()
}

/// A reading exactly as the contract writes it, strings without escapes.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WireReading<'a> {
    serial: &'a str,
    read_at: &'a str,
    #[serde(borrow)]
    counters: WireCounters<'a>,
}

/// Known counter names, each once, with their literal values.
struct WireCounters<'a>(Vec<(Key, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for WireCounters<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = WireCounters<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of known counter names and numbers")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut pairs: Vec<(Key, &'a RawValue)> = Vec::with_capacity(24);
                while let Some(name) = map.next_key::<&'de str>()? {
                    let key = Key::from_name(name)
                        .ok_or_else(|| serde::de::Error::custom("unknown counter"))?;
                    if pairs.iter().any(|(k, _)| *k == key) {
                        return Err(serde::de::Error::custom("counter given twice"));
                    }
                    pairs.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(WireCounters(pairs))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

fn string_field(
    index: usize,
    item: &RawItem,
    field: &str,
    errors: &mut Vec<ItemError>,
) -> Option<String> {
    match item.get(field) {
        None => {
            errors.push(ItemError::new(index, field, required()));
            None
        }
        Some(raw) => match serde_json::from_str::<String>(raw.get()) {
            Ok(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Ok(_) => {
                errors.push(ItemError::new(index, field, ItemProblem::Empty));
                None
            }
            Err(_) => {
                errors.push(ItemError::new(index, field, ItemProblem::NotAString));
                None
            }
        },
    }
}

fn required() -> ItemProblem {
    ItemProblem::Field(Problem::Required)
}

/// Parses an RFC 3339 timestamp that carries its offset (`Z` or `+09:00`).
pub fn parse_instant(s: &str) -> Result<i64, ItemProblem> {
    // jiff reads more than RFC 3339 (RFC 9557 annotations, offsets up to ±25:59:59): the
    // contract is RFC 3339's `date-time`, so its offset is checked here first.
    let offset = rfc3339_offset(s).ok_or(ItemProblem::InvalidTimestamp)?;
    if let Some((hours, minutes)) = offset
        && (hours > 23 || minutes > 59)
    {
        return Err(ItemProblem::NoSuchOffset {
            offset: s[s.len() - 6..].to_string(),
        });
    }
    s.parse::<Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| ItemProblem::InvalidTimestamp)
}

/// The offset of an RFC 3339 `date-time` (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`): `None`
/// when the text has another shape, `Some(None)` for `Z`, `Some(Some((hh, mm)))` otherwise
/// (the numbers as written, not yet range-checked).
#[allow(clippy::option_option)]
fn rfc3339_offset(s: &str) -> Option<Option<(u32, u32)>> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => Some(None),
        [b'+' | b'-', h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()) =>
        {
            let n = |a: &u8, b: &u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
            Some(Some((n(h1, h2), n(m1, m2))))
        }
        _ => None,
    }
}

impl ReadingDraft<'_> {
    /// The same draft, owning its values.
    pub fn into_owned(self) -> ReadingDraft<'static> {
        ReadingDraft {
            serial: self.serial,
            read_at_ms: self.read_at_ms,
            counters: self
                .counters
                .into_iter()
                .map(|(k, v)| (k, Cow::Owned(v.into_owned())))
                .collect(),
        }
    }

    /// Checks one item's shape, naming every problem.
    pub fn parse<'i>(index: usize, item: &'i RawItem) -> Result<ReadingDraft<'i>, Vec<ItemError>> {
        let mut errors = Vec::new();
        for field in item.keys() {
            if !matches!(field.as_str(), "serial" | "read_at" | "counters") {
                errors.push(ItemError::new(
                    index,
                    field.clone(),
                    ItemProblem::NotAReadingField,
                ));
            }
        }
        let serial = string_field(index, item, "serial", &mut errors).filter(|s| {
            let ok = is_valid_serial(s);
            if !ok {
                errors.push(ItemError::new(index, "serial", ItemProblem::InvalidSerial));
            }
            ok
        });
        let read_at = string_field(index, item, "read_at", &mut errors).and_then(|s| {
            parse_instant(&s)
                .map_err(|m| errors.push(ItemError::new(index, "read_at", m)))
                .ok()
        });
        let mut counters = Vec::new();
        match item.get("counters") {
            None => errors.push(ItemError::new(index, "counters", required())),
            Some(raw) => match serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(raw.get()) {
                Err(_) => errors.push(ItemError::new(
                    index,
                    "counters",
                    ItemProblem::CountersNotAnObject,
                )),
                Ok(map) if map.is_empty() => {
                    errors.push(ItemError::new(index, "counters", ItemProblem::NoCounters))
                }
                Ok(map) => {
                    for (name, value) in map {
                        match Key::from_name(&name) {
                            Some(key) => counters.push((key, Cow::Owned(value.get().to_string()))),
                            None => errors.push(ItemError::new(
                                index,
                                format!("counters.{name}"),
                                ItemProblem::UnknownCounter,
                            )),
                        }
                    }
                }
            },
        }
        match (serial, read_at, errors.is_empty()) {
            (Some(serial), Some(read_at_ms), true) => Ok(ReadingDraft {
                serial,
                read_at_ms,
                counters,
            }),
            _ => Err(errors),
        }
    }

    /// Checks the reading against its device's class, the clock and the tenant's retention.
    pub fn finish(
        &self,
        index: usize,
        class: DeviceClass,
        now_ms: i64,
        retention_start_ms: Option<i64>,
    ) -> Result<CounterSet, Vec<ItemError>> {
        let mut errors = Vec::new();
        if self.read_at_ms > now_ms + MAX_FUTURE_MS {
            errors.push(ItemError::new(index, "read_at", ItemProblem::in_future()));
        }
        if let Some(start) = retention_start_ms.filter(|s| self.read_at_ms < *s) {
            let start = Timestamp::from_millisecond(start).expect("in range");
            errors.push(ItemError::new(
                index,
                "read_at",
                ItemProblem::BeforeRetention {
                    start: start.to_string(),
                },
            ));
        }
        let mut pairs = Vec::with_capacity(self.counters.len());
        for (key, literal) in &self.counters {
            let field = || format!("counters.{}", key.name());
            if !class.has_key(*key) {
                errors.push(ItemError::new(
                    index,
                    field(),
                    ItemProblem::NotACounterOf { class },
                ));
                continue;
            }
            match parse_value(literal, class) {
                Ok(v) => pairs.push((*key, v)),
                Err(e) => errors.push(ItemError::new(index, field(), ItemProblem::Value(e))),
            }
        }
        if errors.is_empty() {
            Ok(CounterSet::new(pairs))
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(body: &str) -> Result<ReadingDraft<'static>, Vec<ItemError>> {
        let items = parse_batch(body).unwrap();
        ReadingDraft::parse(0, items[0].as_ref().unwrap()).map(ReadingDraft::into_owned)
    }

    fn owned(
        parsed: Result<Vec<Result<ReadingDraft<'_>, Vec<ItemError>>>, BodyError>,
    ) -> Result<Vec<Result<ReadingDraft<'static>, Vec<ItemError>>>, BodyError> {
        parsed.map(|v| {
            v.into_iter()
                .map(|r| r.map(ReadingDraft::into_owned))
                .collect()
        })
    }

    #[test]
    fn the_one_pass_reading_and_the_item_by_item_one_agree_on_every_body() {
        let bodies = [
            // Well formed: read in one pass.
            (
                r#"[{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":5,"mono":3}},
                 {"counters":{"scan":1, "total1":7},"read_at":" 2021-08-31T09:00:00Z ","serial":" B "}]"#,
                true,
            ),
            (
                r#"{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":10.50}}"#,
                true,
            ),
            // Everything else: the long way, with the same answer.
            (
                r#"[{"serial":"A\u0042","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":5}}]"#,
                false,
            ),
            (
                r#"[{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":5,"total1":6}}]"#,
                false,
            ),
            (
                r#"[{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"toner":5}}]"#,
                false,
            ),
            (
                r#"[{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{}}]"#,
                false,
            ),
            (
                r#"[{"serial":"A","read_at":"2021-08-31T18:00:00","counters":{"total1":5}}]"#,
                false,
            ),
            (
                r#"[{"serial":" ","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":5}}]"#,
                false,
            ),
            (
                r#"[{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":5},"x":1}]"#,
                false,
            ),
            (
                r#"[{"serial":"A","serial":"B","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":5}}]"#,
                false,
            ),
            (
                r#"[{"serial":5,"read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":"5"}}, 3]"#,
                false,
            ),
            (
                r#"[{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":5}}] x"#,
                false,
            ),
            ("[]", true),
            ("42", false),
        ];
        for (body, one_pass) in bodies {
            assert_eq!(parse_well_formed(body).is_some(), one_pass, "{body}");
            assert_eq!(
                owned(parse_readings(body)),
                parse_item_by_item(body),
                "{body}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn random_well_formed_batches_read_in_one_pass_as_item_by_item(
            items in proptest::collection::vec(
                (
                    " ?[A-Z0-9._-]{1,12} ?",
                    0i64..4_000_000_000,
                    -12i32..14,
                    proptest::collection::btree_map(0usize..crate::counters::KEY_COUNT, 0u64..10_000_000_000, 1..8),
                ),
                0..20,
            ),
            reverse_keys in proptest::bool::ANY,
        ) {
            let mut body = String::from("[");
            for (i, (serial, secs, offset_h, counters)) in items.iter().enumerate() {
                if i > 0 { body.push(','); }
                let at = jiff::Timestamp::from_second(*secs).unwrap()
                    .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(*offset_h as i8)));
                let mut pairs: Vec<String> = counters
                    .iter()
                    .map(|(k, v)| format!("\"{}\": {v}", crate::counters::ALL_KEYS[*k].name()))
                    .collect();
                if reverse_keys { pairs.reverse(); }
                body.push_str(&format!(
                    r#"{{"serial":"{serial}","read_at":"{}","counters":{{{}}}}}"#,
                    at.strftime("%Y-%m-%dT%H:%M:%S%:z"),
                    pairs.join(", ")
                ));
            }
            body.push(']');
            let one_pass = parse_well_formed(&body).is_some();
            let serials_blank = items.iter().any(|(s, ..)| s.trim().is_empty());
            proptest::prop_assert_eq!(one_pass, !serials_blank);
            proptest::prop_assert_eq!(owned(parse_readings(&body)), parse_item_by_item(&body));
        }
    }

    #[test]
    fn a_single_object_and_an_array_are_both_batches() {
        assert_eq!(parse_batch(r#"{"serial":"A"}"#).unwrap().len(), 1);
        assert_eq!(
            parse_batch(r#"[{"serial":"A"},{"serial":"B"}]"#)
                .unwrap()
                .len(),
            2
        );
        assert!(parse_batch("[1]").unwrap()[0].is_err());
        assert!(parse_batch("42").is_err());
        assert!(parse_batch("{").is_err());
    }

    #[test]
    fn the_same_instant_with_another_offset_is_the_same_read_at() {
        let a = draft(
            r#"{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":1}}"#,
        )
        .unwrap();
        let b = draft(r#"{"serial":"A","read_at":"2021-08-31T09:00:00Z","counters":{"total1":1}}"#)
            .unwrap();
        assert_eq!(a.read_at_ms, b.read_at_ms);
    }

    #[test]
    fn every_shape_error_of_an_item_is_listed() {
        let errs =
            draft(r#"{"serial":5,"read_at":"2021-08-31 18:00","counters":{"toner":1},"x":1}"#)
                .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["x", "serial", "read_at", "counters.toner"]);
        let errs = draft(r#"{"serial":"A","read_at":"2021-08-31T18:00:00"}"#).unwrap_err();
        assert_eq!(errs[0].field, "read_at");
        assert_eq!(errs[1].field, "counters");
    }

    #[test]
    fn counters_are_checked_against_the_device_class_clock_and_retention() {
        let d = draft(
            r#"{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":10.5,"duty_a":-1,"paper_a4":3}}"#,
        )
        .unwrap();
        let errs = d
            .finish(3, DeviceClass::Mfp, d.read_at_ms, None)
            .unwrap_err();
        let got: Vec<(&str, &ItemProblem)> = errs
            .iter()
            .map(|e| (e.field.as_str(), &e.problem))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "counters.duty_a",
                    &ItemProblem::NotACounterOf {
                        class: DeviceClass::Mfp
                    }
                ),
                (
                    "counters.total1",
                    &ItemProblem::Value(ValueError::Fractional)
                ),
            ]
        );
        assert!(errs.iter().all(|e| e.index == 3));
        let errs = d
            .finish(0, DeviceClass::Lfp, d.read_at_ms, None)
            .unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        let ok = draft(
            r#"{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":10.5,"duty_a":0.125}}"#,
        )
        .unwrap()
        .finish(0, DeviceClass::Lfp, 0, None);
        assert!(ok.is_err(), "in the future of a clock at 1970");
        let set = draft(
            r#"{"serial":"A","read_at":"2021-08-31T18:00:00+09:00","counters":{"total1":10.5,"duty_a":0.125}}"#,
        )
        .unwrap()
        .finish(0, DeviceClass::Lfp, i64::MAX / 2, Some(0))
        .unwrap();
        assert_eq!(set.get(Key::Total1), Some(10500));
        assert_eq!(set.get(Key::DutyA), Some(125));
        let old = d
            .finish(0, DeviceClass::Mfp, d.read_at_ms, Some(d.read_at_ms + 1))
            .unwrap_err();
        assert!(
            old.iter()
                .any(|e| matches!(e.problem, ItemProblem::BeforeRetention { .. }))
        );
    }
}
