//! Counter keys (SPEC C1), device classes and exact counter values.
//!
//! Every counter value is kept as an `i64` in the device's *base unit*: sheets for MFPs and
//! LBPs, thousandths of the device's unit for LFPs (their counters have up to three decimal
//! places). Keeping integers end to end means no float ever touches a stored number, so sums
//! over years of readings stay exact to the last page or the last thousandth of a square metre.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A counter key of the API contract. The discriminant is the key's stable id in storage:
/// never renumber, only append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Key {
    Total1 = 0,
    Color = 1,
    Mono = 2,
    Scan = 3,
    ColorLarge = 4,
    ColorSmall = 5,
    MonoLarge = 6,
    MonoSmall = 7,
    ColorCopy = 8,
    ColorPrint = 9,
    MonoCopy = 10,
    MonoPrint = 11,
    Copy = 12,
    Receive = 13,
    Print = 14,
    ScanSend = 15,
    Duplex = 16,
    PaperA3 = 17,
    PaperA4 = 18,
    PaperA5 = 19,
    PaperA6 = 20,
    PaperB4 = 21,
    PaperB5 = 22,
    PaperB6 = 23,
    PaperLetter = 24,
    PaperLegal = 25,
    PaperLedger = 26,
    PaperStatement = 27,
    PaperExecutive = 28,
    PaperPostcard = 29,
    PaperSra3 = 30,
    Paper12x18 = 31,
    PaperEnvelope = 32,
    PaperOther = 33,
    DutyA = 34,
    DutyB = 35,
    DutyC = 36,
    DutyD = 37,
}

/// Number of keys; ids are `0..KEY_COUNT`.
pub const KEY_COUNT: usize = 38;

/// A set of keys as one bit per key id ([`CounterSet::key_bits`]).
pub type KeyBits = u64;
const _: () = assert!(KEY_COUNT <= KeyBits::BITS as usize);

/// The counters a contract bills on: Total 1, colour and monochrome. The roll-ups keep them
/// apart from the other counters (the *head* of a stored block), so that a query of these
/// alone (a billing system asking `keys=total1` of a whole fleet) reads a small part of what
/// a full table reads.
pub const BILLING_KEYS: KeyBits =
    (1 << Key::Total1 as u8) | (1 << Key::Color as u8) | (1 << Key::Mono as u8);
// The head's counters come before the rest's in key order, so that a row's head and rest
// joined are in key order again (`engine::join_encoded`): they are the lowest ids.
const _: () = assert!(BILLING_KEYS == (1 << 3) - 1);

/// The keys of a [`KeyBits`] set, in key order.
pub fn keys_of(bits: KeyBits) -> impl Iterator<Item = Key> {
    ALL_KEYS.into_iter().filter(move |k| bits & k.bit() != 0)
}

use Key::*;

/// All keys in id order.
pub const ALL_KEYS: [Key; KEY_COUNT] = [
    Total1,
    Color,
    Mono,
    Scan,
    ColorLarge,
    ColorSmall,
    MonoLarge,
    MonoSmall,
    ColorCopy,
    ColorPrint,
    MonoCopy,
    MonoPrint,
    Copy,
    Receive,
    Print,
    ScanSend,
    Duplex,
    PaperA3,
    PaperA4,
    PaperA5,
    PaperA6,
    PaperB4,
    PaperB5,
    PaperB6,
    PaperLetter,
    PaperLegal,
    PaperLedger,
    PaperStatement,
    PaperExecutive,
    PaperPostcard,
    PaperSra3,
    Paper12x18,
    PaperEnvelope,
    PaperOther,
    DutyA,
    DutyB,
    DutyC,
    DutyD,
];

const NAMES: [&str; KEY_COUNT] = [
    "total1",
    "color",
    "mono",
    "scan",
    "color_large",
    "color_small",
    "mono_large",
    "mono_small",
    "color_copy",
    "color_print",
    "mono_copy",
    "mono_print",
    "copy",
    "receive",
    "print",
    "scan_send",
    "duplex",
    "paper_a3",
    "paper_a4",
    "paper_a5",
    "paper_a6",
    "paper_b4",
    "paper_b5",
    "paper_b6",
    "paper_letter",
    "paper_legal",
    "paper_ledger",
    "paper_statement",
    "paper_executive",
    "paper_postcard",
    "paper_sra3",
    "paper_12x18",
    "paper_envelope",
    "paper_other",
    "duty_a",
    "duty_b",
    "duty_c",
    "duty_d",
];

impl Key {
    pub fn id(self) -> u8 {
        self as u8
    }

    /// The key's bit in a [`KeyBits`] set.
    pub fn bit(self) -> KeyBits {
        1 << self.id()
    }

    pub fn from_id(id: u8) -> Option<Key> {
        ALL_KEYS.get(id as usize).copied()
    }

    /// The key's name in the API contract (`total1`, `paper_a4`, `duty_a`, ...).
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Key> {
        NAMES.iter().position(|n| *n == name).map(|i| ALL_KEYS[i])
    }

    /// The paper-size keys, in the order of the Paper sizes setting (S21).
    pub fn paper_sizes() -> &'static [Key] {
        &ALL_KEYS[PaperA3 as usize..=PaperOther as usize]
    }

    pub fn is_paper(self) -> bool {
        (PaperA3 as u8..=PaperOther as u8).contains(&(self as u8))
    }

    /// The paper size's short name without the `paper_` prefix (`a4`, `12x18`).
    pub fn paper_size(self) -> Option<&'static str> {
        self.is_paper().then(|| &self.name()[6..])
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The two families of devices whose counters differ (S12 device class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceClass {
    /// MFPs and laser printers: sheet counters.
    Mfp,
    /// Large-format printers: Total and DUTY A-D in the device's unit, with decimals.
    Lfp,
}

const MFP_KEYS: [Key; 34] = {
    let mut keys = [Total1; 34];
    let mut i = 0;
    while i < 34 {
        keys[i] = ALL_KEYS[i];
        i += 1;
    }
    keys
};
const LFP_KEYS: [Key; 5] = [Total1, DutyA, DutyB, DutyC, DutyD];

impl DeviceClass {
    /// Every key a device of this class may report, in the API's order.
    pub fn keys(self) -> &'static [Key] {
        match self {
            DeviceClass::Mfp => &MFP_KEYS,
            DeviceClass::Lfp => &LFP_KEYS,
        }
    }

    pub fn has_key(self, key: Key) -> bool {
        match self {
            DeviceClass::Mfp => (key as usize) < 34,
            DeviceClass::Lfp => key == Total1 || key as u8 >= DutyA as u8,
        }
    }

    /// How many decimal places a value of this class may have.
    pub fn scale(self) -> u32 {
        match self {
            DeviceClass::Mfp => 0,
            DeviceClass::Lfp => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Mfp => "mfp",
            DeviceClass::Lfp => "lfp",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceClass> {
        match s {
            "mfp" => Some(DeviceClass::Mfp),
            "lfp" => Some(DeviceClass::Lfp),
            _ => None,
        }
    }
}

/// Why a counter value was refused; `portal::i18n` words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueError {
    NotANumber,
    Negative,
    /// A fraction for a device that counts sheets.
    Fractional,
    /// More decimal places than a large-format printer's unit has (3).
    TooPrecise,
    /// More digits than a counter holds.
    TooLarge,
    /// Written with an exponent (`1.5e3`).
    Exponent,
}

impl ValueError {
    pub const ALL: [ValueError; 6] = [
        ValueError::NotANumber,
        ValueError::Negative,
        ValueError::Fractional,
        ValueError::TooPrecise,
        ValueError::TooLarge,
        ValueError::Exponent,
    ];
}

/// The largest counter value accepted, in base units. Far above any real odometer (a
/// billion sheets, or a billion square metres for an LFP) and far below `i64::MAX`, so that
/// sums over every device and period of a tenant cannot overflow.
pub const MAX_VALUE: i64 = 1_000_000_000_000_000;

/// Parses the literal text of a JSON number into base units, exactly: `"12.345"` for an
/// LFP is 12345 thousandths, not a float near it.
pub fn parse_value(literal: &str, class: DeviceClass) -> Result<i64, ValueError> {
    let text = literal.trim();
    let first = text.chars().next().ok_or(ValueError::NotANumber)?;
    if !(first == '-' || first.is_ascii_digit()) {
        return Err(ValueError::NotANumber);
    }
    // Devices write counters as plain numbers; an exponent is ambiguous about the intended
    // precision (1e3 of an LFP's m²?) and is refused rather than interpreted.
    if text.contains(['e', 'E']) {
        return Err(ValueError::Exponent);
    }
    let dec = Decimal::from_str_exact(text).map_err(|e| match e {
        rust_decimal::Error::Underflow => ValueError::TooPrecise,
        rust_decimal::Error::ConversionTo(_) => ValueError::NotANumber,
        _ => ValueError::TooLarge,
    })?;
    if dec.is_sign_negative() && !dec.is_zero() {
        return Err(ValueError::Negative);
    }
    let dec = dec.normalize();
    if dec.scale() > class.scale() {
        return Err(match class {
            DeviceClass::Mfp => ValueError::Fractional,
            DeviceClass::Lfp => ValueError::TooPrecise,
        });
    }
    let scaled = dec
        .checked_mul(Decimal::from(10i64.pow(class.scale())))
        .ok_or(ValueError::TooLarge)?;
    let v: i64 = scaled.try_into().map_err(|_| ValueError::TooLarge)?;
    if v > MAX_VALUE {
        return Err(ValueError::TooLarge);
    }
    Ok(v)
}

/// Formats a value in base units as the device's unit shows it: `455` for sheets, `12.5` or
/// `12.345` for an LFP (trailing zeros dropped, as a person writes it).
pub fn format_value(v: i64, class: DeviceClass) -> String {
    match class {
        DeviceClass::Mfp => v.to_string(),
        DeviceClass::Lfp => {
            let d = Decimal::new(v, 3).normalize();
            d.to_string()
        }
    }
}

/// The decimals a value is shown with: none for sheets (also A4- and Letter-equivalent
/// sheets of large-format printers), two for areas (m², sq ft); three, all that is stored,
/// for a large-format value of no known unit. Fixed per unit, so that a column's decimal
/// points line up.
pub fn shown_places(class: DeviceClass, unit: Option<crate::device::LfpUnit>) -> u32 {
    use crate::device::LfpUnit;
    match (class, unit) {
        (DeviceClass::Mfp, _) | (_, Some(LfpUnit::A4 | LfpUnit::Letter)) => 0,
        (DeviceClass::Lfp, Some(LfpUnit::M2 | LfpUnit::Sqft)) => 2,
        (DeviceClass::Lfp, None) => 3,
    }
}

/// A value as shown on the screens and in the CSV: [`shown_places`] decimals, rounded half
/// away from zero (as a spreadsheet rounds), no thousands separators.
pub fn format_shown(v: i64, class: DeviceClass, unit: Option<crate::device::LfpUnit>) -> String {
    match class {
        DeviceClass::Mfp => v.to_string(),
        DeviceClass::Lfp => {
            let places = shown_places(class, unit);
            let d = Decimal::new(v, 3).round_dp_with_strategy(
                places,
                rust_decimal::RoundingStrategy::MidpointAwayFromZero,
            );
            format!("{d:.prec$}", prec = places as usize)
        }
    }
}

/// A value as a JSON number: an integer for sheets, a decimal for LFP units.
pub fn json_value(v: i64, class: DeviceClass) -> serde_json::Value {
    match class {
        DeviceClass::Mfp => serde_json::Value::from(v),
        DeviceClass::Lfp => {
            if v % 1000 == 0 {
                serde_json::Value::from(v / 1000)
            } else {
                // The shortest float that prints back as the same three-decimal number.
                serde_json::Value::from(v as f64 / 1000.0)
            }
        }
    }
}

/// The counters of one reading: each key at most once, sorted by key id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CounterSet(Vec<(Key, i64)>);

impl CounterSet {
    /// Builds a set; a key given twice keeps its last value.
    pub fn new(mut pairs: Vec<(Key, i64)>) -> CounterSet {
        pairs.sort_by_key(|(k, _)| *k);
        pairs.reverse();
        pairs.dedup_by_key(|(k, _)| *k);
        pairs.reverse();
        CounterSet(pairs)
    }

    pub fn get(&self, key: Key) -> Option<i64> {
        self.0
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| self.0[i].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Key, i64)> + '_ {
        self.0.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The set's keys, one bit each.
    pub fn key_bits(&self) -> KeyBits {
        self.0.iter().fold(0, |bits, (k, _)| bits | k.bit())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compact binary form for storage (key id and zig-zag varint per counter).
    /// Postcard's form of `Vec<(u8, i64)>`, written directly: a varint count, then per
    /// counter its id byte and its value as a zigzag varint.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.0.len() * 5);
        crate::engine::put_varint(&mut out, self.0.len() as u64);
        for (k, v) in &self.0 {
            out.push(k.id());
            crate::engine::put_varint(&mut out, crate::engine::zigzag(*v));
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<CounterSet, CodecError> {
        let raw: Vec<(u8, i64)> = postcard::from_bytes(bytes).map_err(|_| CodecError)?;
        let mut pairs = Vec::with_capacity(raw.len());
        for (id, v) in raw {
            pairs.push((Key::from_id(id).ok_or(CodecError)?, v));
        }
        Ok(CounterSet(pairs))
    }
}

/// A stored blob could not be decoded: the database holds data this version does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stored counter data could not be decoded")]
pub struct CodecError;

#[cfg(test)]
mod shown_tests {
    use super::*;
    use crate::device::LfpUnit;

    #[test]
    fn shown_values_have_a_fixed_number_of_decimals_per_unit() {
        let lfp = DeviceClass::Lfp;
        assert_eq!(format_shown(225_600, lfp, Some(LfpUnit::M2)), "225.60");
        assert_eq!(format_shown(20_740, lfp, Some(LfpUnit::Sqft)), "20.74");
        assert_eq!(format_shown(212_534, lfp, Some(LfpUnit::M2)), "212.53");
        assert_eq!(format_shown(212_535, lfp, Some(LfpUnit::M2)), "212.54");
        assert_eq!(format_shown(-212_535, lfp, Some(LfpUnit::M2)), "-212.54");
        assert_eq!(format_shown(7_000, lfp, Some(LfpUnit::M2)), "7.00");
        assert_eq!(format_shown(225_600, lfp, Some(LfpUnit::A4)), "226");
        assert_eq!(format_shown(225_500, lfp, Some(LfpUnit::Letter)), "226");
        assert_eq!(format_shown(225_600, lfp, None), "225.600");
        assert_eq!(format_shown(178_011, DeviceClass::Mfp, None), "178011");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_name_round_trips_through_its_id() {
        for k in ALL_KEYS {
            assert_eq!(Key::from_id(k.id()), Some(k));
            assert_eq!(Key::from_name(k.name()), Some(k));
        }
        assert_eq!(Key::from_name("paper_12x18"), Some(Key::Paper12x18));
        assert_eq!(Key::from_name("toner"), None);
    }

    #[test]
    fn a_set_s_key_bits_give_back_its_keys_in_order() {
        let set = CounterSet::new(vec![(Key::DutyD, 4), (Key::Total1, 1), (Key::Scan, 3)]);
        let keys: Vec<Key> = keys_of(set.key_bits()).collect();
        assert_eq!(keys, vec![Key::Total1, Key::Scan, Key::DutyD]);
        let all = ALL_KEYS.iter().fold(0, |bits, k| bits | k.bit());
        assert_eq!(all.count_ones() as usize, KEY_COUNT);
        assert_eq!(keys_of(all).collect::<Vec<_>>(), ALL_KEYS.to_vec());
        assert_eq!(keys_of(0).count(), 0);
    }

    #[test]
    fn classes_have_the_keys_of_the_contract() {
        assert_eq!(DeviceClass::Mfp.keys().len(), 34);
        assert_eq!(DeviceClass::Mfp.keys()[33], Key::PaperOther);
        assert!(DeviceClass::Mfp.has_key(Key::Duplex));
        assert!(!DeviceClass::Mfp.has_key(Key::DutyA));
        assert!(DeviceClass::Lfp.has_key(Key::Total1));
        assert!(DeviceClass::Lfp.has_key(Key::DutyD));
        assert!(!DeviceClass::Lfp.has_key(Key::PaperA4));
        assert_eq!(Key::paper_sizes().len(), 17);
        assert_eq!(Key::PaperSra3.paper_size(), Some("sra3"));
    }

    #[test]
    fn sheet_values_must_be_whole_and_not_negative() {
        assert_eq!(parse_value("455", DeviceClass::Mfp), Ok(455));
        assert_eq!(parse_value("455.0", DeviceClass::Mfp), Ok(455));
        for exp in ["1e3", "1E3", "1.5e3", "455e0"] {
            assert_eq!(
                parse_value(exp, DeviceClass::Mfp),
                Err(ValueError::Exponent),
                "{exp}"
            );
        }
        assert_eq!(
            parse_value("455.5", DeviceClass::Mfp),
            Err(ValueError::Fractional)
        );
        assert_eq!(
            parse_value("-1", DeviceClass::Mfp),
            Err(ValueError::Negative)
        );
        assert_eq!(parse_value("-0", DeviceClass::Mfp), Ok(0));
        assert_eq!(
            parse_value("\"12\"", DeviceClass::Mfp),
            Err(ValueError::NotANumber)
        );
        assert_eq!(
            parse_value("true", DeviceClass::Mfp),
            Err(ValueError::NotANumber)
        );
        assert_eq!(
            parse_value("99999999999999999999999", DeviceClass::Mfp),
            Err(ValueError::TooLarge)
        );
    }

    #[test]
    fn lfp_values_are_kept_exactly_in_thousandths() {
        assert_eq!(parse_value("12.345", DeviceClass::Lfp), Ok(12345));
        assert_eq!(parse_value("0.1", DeviceClass::Lfp), Ok(100));
        assert_eq!(parse_value("7", DeviceClass::Lfp), Ok(7000));
        assert_eq!(
            parse_value("0.0001", DeviceClass::Lfp),
            Err(ValueError::TooPrecise)
        );
        assert_eq!(format_value(12345, DeviceClass::Lfp), "12.345");
        assert_eq!(format_value(12300, DeviceClass::Lfp), "12.3");
        assert_eq!(format_value(7000, DeviceClass::Lfp), "7");
        assert_eq!(json_value(100, DeviceClass::Lfp).to_string(), "0.1");
        // A thousand readings of 0.1 add up to exactly 100, with no float drift.
        let sum: i64 = (0..1000)
            .map(|_| parse_value("0.1", DeviceClass::Lfp).unwrap())
            .sum();
        assert_eq!(format_value(sum, DeviceClass::Lfp), "100");
    }

    #[test]
    fn counter_sets_encode_compactly_and_decode_to_the_same_values() {
        let set = CounterSet::new(vec![(Key::Mono, 116175), (Key::Total1, 178011)]);
        assert_eq!(set.iter().next(), Some((Key::Total1, 178011)));
        let bytes = set.encode();
        assert!(bytes.len() < 12, "{} bytes", bytes.len());
        assert_eq!(CounterSet::decode(&bytes), Ok(set));
        assert_eq!(CounterSet::decode(&[5, 200]), Err(CodecError));
    }
}
