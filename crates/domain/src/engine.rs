//! The counter engine (SPEC C3-C6): usage and cumulative values per period, as roll-ups.
//!
//! ## The rule, in one line
//! For each counter on its own, with its readings in time order and a virtual reading of 0
//! before the first one, the **usage of a period** is the sum, over the readings inside the
//! period, of `step(previous value, value)`, where `step(a, b) = b - a` when the counter grew
//! and `b` when it went down (a reset counts the new value from zero, as Prometheus'
//! `increase()` does). The **cumulative value** of a period is its last reading.
//!
//! Everything in C3-C6 follows from that line:
//! - the previous value of a period's first reading is the last reading *before* the period,
//!   however long ago (C4: a gap's pages land in the first period that has a reading);
//! - the period of a counter's first reading gets `step(0, v) = v`, its cumulative value
//!   itself (C5, the oldest-period rule), and is marked `oldest`;
//! - usage is never negative and, summed over any range, equals the counter's growth counted
//!   across resets (C6);
//! - the result depends on the set of readings only, not on the order they arrived in.
//!
//! ## Roll-ups
//! The store keeps one [`PeriodStats`] per device and day, and one per device and month,
//! updated at ingest time, so that a query reads one small row per device and period instead
//! of every reading. A day's stats depend on its own readings and on the last value of each
//! counter before the day (its *baseline*); a month's stats are the sum of its days'.
//! A late reading therefore changes its own day and, through the baseline, the next day that
//! has readings; and the months of those two days. Nothing else.

use serde::{Deserialize, Serialize};

use crate::counters::{CodecError, CounterSet, KEY_COUNT, Key, KeyBits};

/// The growth from `prev` to `value`, with a counter that went down counted as reset.
pub fn step(prev: i64, value: i64) -> i64 {
    if value >= prev { value - prev } else { value }
}

/// One counter's roll-up over one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStat {
    /// The last reading in the period (the cumulative value, C3).
    pub last: i64,
    /// The usage of the period (C4-C6).
    pub usage: i64,
    /// The period holds the counter's first reading: its usage is the value itself (C5).
    pub oldest: bool,
    /// The counter went down at a reading of the period (C6: a reset, counted from zero).
    pub reset: bool,
}

impl KeyStat {
    /// The flags byte of the stored form: bit 0 `oldest`, bit 1 `reset`.
    fn flags(&self) -> u8 {
        u8::from(self.oldest) | (u8::from(self.reset) << 1)
    }
}

/// What to show: usage (使用枚数) or cumulative values (積算値).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Usage,
    Cumulative,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::Cumulative => "cumulative",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "usage" => Some(Kind::Usage),
            "cumulative" => Some(Kind::Cumulative),
            _ => None,
        }
    }
}

/// The roll-up of one device over one period: a [`KeyStat`] per counter that has a reading
/// in the period, sorted by key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeriodStats {
    entries: Vec<(Key, KeyStat)>,
    /// For a month: the days (bit `day - 1`, in the tenant's zone) that have a reading, so
    /// that a query can tell a month its readings cover from one they stop short of. Zero
    /// for a day, and for months stored before the days were kept.
    covered: u32,
    /// For a month: the days (bit `day - 1`) on which some counter went down (C6), a subset
    /// of `covered`, so that a month whose resets fall on one day dates them without reading
    /// its days. Zero for a day, and for months stored before these were kept.
    reset_days: u32,
}

impl PeriodStats {
    pub fn get(&self, key: Key) -> Option<&KeyStat> {
        self.entries
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// The value shown for a counter: usage or cumulative; `None` is "-".
    pub fn value(&self, key: Key, kind: Kind) -> Option<i64> {
        self.get(key).map(|s| match kind {
            Kind::Usage => s.usage,
            Kind::Cumulative => s.last,
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = (Key, &KeyStat)> {
        self.entries.iter().map(|(k, s)| (*k, s))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys with a stat, one bit each.
    pub fn key_bits(&self) -> KeyBits {
        self.entries.iter().fold(0, |bits, (k, _)| bits | k.bit())
    }

    /// Some counter's first reading falls in this period (C5): its usage cell is marked.
    pub fn any_oldest(&self) -> bool {
        self.entries.iter().any(|(_, s)| s.oldest)
    }

    /// The days of a month with a reading (bit `day - 1`); see the field.
    pub fn covered(&self) -> u32 {
        self.covered
    }

    /// The days of a month on which some counter went down (bit `day - 1`); see the field.
    pub fn reset_days(&self) -> u32 {
        self.reset_days
    }

    /// Takes the covered and reset days of `days`, the same month rebuilt from its days
    /// ([`PeriodStats::combine_days`]): for a month stored before it kept them.
    pub fn take_days_of(&mut self, days: &PeriodStats) {
        self.covered = days.covered;
        self.reset_days = days.reset_days;
    }

    /// Records that the day `day_id` (`yyyymmdd`) of this month has a reading.
    pub fn cover_day(&mut self, day_id: i64) {
        self.covered |= day_bit(day_id);
    }

    /// Applies a reading of the day `day_id` (`yyyymmdd`) of this month, taken after every
    /// reading already in it: [`PeriodStats::append`], and the day is covered, and marked
    /// as a reset day when a counter went down at the reading.
    pub fn append_on_day(&mut self, day_id: i64, reading: &CounterSet, baseline: &Baseline) {
        if self.append(reading, baseline) {
            self.reset_days |= day_bit(day_id);
        }
        self.cover_day(day_id);
    }

    fn entry_mut(&mut self, key: Key) -> Result<&mut KeyStat, usize> {
        match self.entries.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) => Ok(&mut self.entries[i].1),
            Err(i) => Err(i),
        }
    }

    /// Applies a reading taken after every reading already in the period; true when a
    /// counter went down at it (C6).
    pub fn append(&mut self, reading: &CounterSet, baseline: &Baseline) -> bool {
        let mut went_down = false;
        for (key, value) in reading.iter() {
            match self.entry_mut(key) {
                Ok(stat) => {
                    let down = value < stat.last;
                    stat.usage += step(stat.last, value);
                    stat.reset |= down;
                    stat.last = value;
                    went_down |= down;
                }
                Err(at) => {
                    let prev = baseline.get(key);
                    let down = prev.is_some_and(|p| value < p);
                    self.entries.insert(
                        at,
                        (
                            key,
                            KeyStat {
                                last: value,
                                usage: step(prev.unwrap_or(0), value),
                                oldest: prev.is_none(),
                                reset: down,
                            },
                        ),
                    );
                    went_down |= down;
                }
            }
        }
        went_down
    }

    /// The roll-up of a period from all its readings in time order.
    pub fn from_readings<'a>(
        readings: impl IntoIterator<Item = &'a CounterSet>,
        baseline: &Baseline,
    ) -> PeriodStats {
        let mut stats = PeriodStats::default();
        for r in readings {
            stats.append(r, baseline);
        }
        stats
    }

    /// A month's roll-up from its days' roll-ups in day order: usages add up, the last value
    /// is the last day's, and the month is oldest where one of its days is.
    pub fn combine<'a>(parts: impl IntoIterator<Item = &'a PeriodStats>) -> PeriodStats {
        let mut out = PeriodStats::default();
        for part in parts {
            for (key, s) in part.iter() {
                match out.entry_mut(key) {
                    Ok(o) => {
                        o.usage += s.usage;
                        o.last = s.last;
                        o.oldest |= s.oldest;
                        o.reset |= s.reset;
                    }
                    Err(at) => out.entries.insert(at, (key, *s)),
                }
            }
        }
        out
    }

    /// [`PeriodStats::combine`] of a month's days given with their ids (`yyyymmdd`), which
    /// also records the days covered and the days with a reset.
    pub fn combine_days<'a>(
        parts: impl IntoIterator<Item = (i64, &'a PeriodStats)>,
    ) -> PeriodStats {
        let (mut covered, mut reset_days) = (0, 0);
        let stats: Vec<&PeriodStats> = parts
            .into_iter()
            .map(|(day, s)| {
                covered |= day_bit(day);
                if s.entries.iter().any(|(_, k)| k.reset) {
                    reset_days |= day_bit(day);
                }
                s
            })
            .collect();
        let mut out = PeriodStats::combine(stats);
        out.covered = covered;
        out.reset_days = reset_days;
        out
    }

    /// Compact binary form for storage: postcard's form of
    /// `Vec<(u8 key id, i64 last, i64 usage, u8 flags)>` (flags: bit 0 oldest, bit 1 reset),
    /// then, for a month with covered days, the days as a varint and, if it has any, the days
    /// with a reset as another; written directly (a batch
    /// of readings encodes thousands of these).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(6 + self.entries.len() * 12);
        put_varint(&mut out, self.entries.len() as u64);
        for (k, s) in &self.entries {
            out.push(k.id());
            put_varint(&mut out, zigzag(s.last));
            put_varint(&mut out, zigzag(s.usage));
            out.push(s.flags());
        }
        if self.covered != 0 {
            put_varint(&mut out, u64::from(self.covered));
            // Reset days are kept only with the days they are among.
            if self.reset_days & self.covered != 0 {
                put_varint(&mut out, u64::from(self.reset_days & self.covered));
            }
        }
        out
    }

    /// [`PeriodStats::encode`] split as [`split_encoded`] splits it: the counters of `keep`
    /// with the days, and the others.
    pub fn encode_split(&self, keep: KeyBits) -> (Vec<u8>, Vec<u8>) {
        let mut both = Vec::new();
        let at = self.encode_split_into(keep, &mut both);
        let rest = both.split_off(at);
        (both, rest)
    }

    /// [`PeriodStats::encode_split`] into one buffer, the head then the rest; returns where
    /// the rest starts. Written directly, in one pass and one allocation: a batch of
    /// readings stores thousands of these.
    pub fn encode_split_into(&self, keep: KeyBits, out: &mut Vec<u8>) -> usize {
        // A count is below KEY_COUNT (< 128): one byte, set once the entries are written.
        const _: () = assert!(KEY_COUNT < 128);
        out.reserve(4 + self.entries.len() * 12);
        let start = out.len();
        let part = |out: &mut Vec<u8>, head: bool| {
            let at = out.len();
            out.push(0);
            let mut n = 0u8;
            for (k, s) in &self.entries {
                if (keep & k.bit() != 0) == head {
                    out.push(k.id());
                    put_varint(out, zigzag(s.last));
                    put_varint(out, zigzag(s.usage));
                    out.push(s.flags());
                    n += 1;
                }
            }
            out[at] = n;
        };
        part(out, true);
        if self.covered != 0 {
            put_varint(out, u64::from(self.covered));
            if self.reset_days & self.covered != 0 {
                put_varint(out, u64::from(self.reset_days & self.covered));
            }
        }
        let rest = out.len() - start;
        part(out, false);
        rest
    }

    /// Reads what [`PeriodStats::encode`] writes, with postcard's checks (a batch of
    /// readings reads back thousands of these).
    pub fn decode(bytes: &[u8]) -> Result<PeriodStats, CodecError> {
        let mut r = Reader { bytes, at: 0 };
        let mut entries = Vec::new();
        read_entries(&mut r, &mut entries)?;
        let (covered, reset_days) = r.days()?;
        Ok(PeriodStats {
            entries,
            covered,
            reset_days,
        })
    }

    /// Reads stats split as [`PeriodStats::encode_split`] splits them, without joining the
    /// bytes first: what `decode` reads of the joined parts ([`join_encoded`]).
    pub fn decode_split(head: &[u8], rest: &[u8]) -> Result<PeriodStats, CodecError> {
        let mut r = Reader { bytes: rest, at: 0 };
        let mut entries = Vec::new();
        let mut h = Reader { bytes: head, at: 0 };
        read_entries(&mut h, &mut entries)?;
        read_entries(&mut r, &mut entries)?;
        if r.at != rest.len() {
            return Err(CodecError);
        }
        let (covered, reset_days) = h.days()?;
        Ok(PeriodStats {
            entries,
            covered,
            reset_days,
        })
    }
}

/// Reads a count of counters and their entries, appending them to `entries`.
fn read_entries(r: &mut Reader<'_>, entries: &mut Vec<(Key, KeyStat)>) -> Result<(), CodecError> {
    let n = r.varint()?;
    entries.reserve((n as usize).min(KEY_COUNT));
    for _ in 0..n {
        let key = Key::from_id(r.byte()?).ok_or(CodecError)?;
        let last = r.zigzag()?;
        let usage = r.zigzag()?;
        let flags = r.flags()?;
        entries.push((
            key,
            KeyStat {
                last,
                usage,
                oldest: flags & 1 != 0,
                reset: flags & 2 != 0,
            },
        ));
    }
    Ok(())
}

/// What [`decode_values`] found besides the values: per shown column (bit = the column's
/// index in the table), whether its counter's first reading (C5) or a reset (C6) falls in
/// the period, and the month's covered days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decoded {
    pub oldest: u64,
    pub reset: u64,
    pub covered: u32,
    /// The month's days with a reset of any counter ([`PeriodStats::reset_days`]).
    pub reset_days: u32,
}

/// Decodes stored stats (the form [`PeriodStats::encode`] writes: postcard's varint length,
/// then per counter its id byte, zigzag varints of `last` and `usage`, and a flags byte;
/// then the covered days when there are any) straight into a table's cells, without
/// building a [`PeriodStats`]: the counters query of a whole fleet decodes a million of
/// them. `column` maps a key id to its cell, if shown.
pub fn decode_values(
    bytes: &[u8],
    kind: Kind,
    column: &[Option<u8>; KEY_COUNT],
    out: &mut [Option<i64>],
) -> Result<Decoded, CodecError> {
    let mut r = Reader { bytes, at: 0 };
    let n = r.varint()?;
    let mut found = Decoded::default();
    for _ in 0..n {
        let id = r.byte()? as usize;
        let Some(slot) = column.get(id).ok_or(CodecError)? else {
            // A counter the table does not show (a query with `keys=`, a tab): stepped over.
            r.skip_varint()?;
            r.skip_varint()?;
            r.flags()?;
            continue;
        };
        // Only the value the table shows is decoded; the other is stepped over.
        let value = match kind {
            Kind::Usage => {
                r.skip_varint()?;
                r.zigzag()?
            }
            Kind::Cumulative => {
                let last = r.zigzag()?;
                r.skip_varint()?;
                last
            }
        };
        let flags = r.flags()?;
        out[*slot as usize] = Some(value);
        found.oldest |= u64::from(flags & 1) << slot;
        found.reset |= u64::from((flags >> 1) & 1) << slot;
    }
    (found.covered, found.reset_days) = r.days()?;
    Ok(found)
}

/// Splits stored stats ([`PeriodStats::encode`]'s form) in two of the same form: `head`
/// with the counters of `keep` and the covered and reset days, `rest` with the other
/// counters and no days. Byte ranges are copied, nothing is decoded into values: a batch of
/// readings splits every row it writes into its billing head
/// ([`crate::counters::BILLING_KEYS`]) and the rest. [`join_encoded`] puts them back.
pub fn split_encoded(
    bytes: &[u8],
    keep: KeyBits,
    head: &mut Vec<u8>,
    rest: &mut Vec<u8>,
) -> Result<(), CodecError> {
    let mut r = Reader { bytes, at: 0 };
    let n = r.varint()?;
    // At most one entry per key: the entries' ranges fit on the stack.
    let mut ranges = [(false, 0usize, 0usize); KEY_COUNT];
    let mut count = 0;
    let mut kept = 0;
    for _ in 0..n {
        let start = r.at;
        let id = r.byte()?;
        if usize::from(id) >= KEY_COUNT {
            return Err(CodecError);
        }
        r.skip_varint()?;
        r.skip_varint()?;
        r.flags()?;
        let keeps = keep >> id & 1 != 0;
        *ranges.get_mut(count).ok_or(CodecError)? = (keeps, start, r.at);
        count += 1;
        kept += usize::from(keeps);
    }
    let days_at = r.at;
    r.days()?;
    put_varint(head, kept as u64);
    put_varint(rest, (count - kept) as u64);
    for (keeps, start, end) in &ranges[..count] {
        let out = if *keeps { &mut *head } else { &mut *rest };
        out.extend_from_slice(&bytes[*start..*end]);
    }
    head.extend_from_slice(&bytes[days_at..]);
    Ok(())
}

/// Joins what [`split_encoded`] split: the head's counters, then the rest's, then the
/// head's days. In key order when every key of the head is lower than every key of the
/// rest, as the billing keys are.
pub fn join_encoded(head: &[u8], rest: &[u8], out: &mut Vec<u8>) -> Result<(), CodecError> {
    let counters_end = |bytes: &[u8]| -> Result<(u64, usize, usize), CodecError> {
        let mut r = Reader { bytes, at: 0 };
        let n = r.varint()?;
        let start = r.at;
        for _ in 0..n {
            r.byte()?;
            r.skip_varint()?;
            r.skip_varint()?;
            r.flags()?;
        }
        Ok((n, start, r.at))
    };
    let (n_head, head_start, head_end) = counters_end(head)?;
    let (n_rest, rest_start, rest_end) = counters_end(rest)?;
    if rest_end != rest.len() {
        return Err(CodecError);
    }
    put_varint(out, n_head + n_rest);
    out.extend_from_slice(&head[head_start..head_end]);
    out.extend_from_slice(&rest[rest_start..rest_end]);
    out.extend_from_slice(&head[head_end..]);
    Ok(())
}

/// The bit of a day of its month (`yyyymmdd`): bit `day - 1`.
fn day_bit(day_id: i64) -> u32 {
    match day_id.rem_euclid(100) {
        day @ 1..=31 => 1 << (day - 1),
        _ => 0,
    }
}

/// A signed value as postcard stores it: zigzag, so that small magnitudes are short.
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// A LEB128 varint, as postcard writes integers and lengths.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    #[inline]
    fn byte(&mut self) -> Result<u8, CodecError> {
        let b = *self.bytes.get(self.at).ok_or(CodecError)?;
        self.at += 1;
        Ok(b)
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, CodecError> {
        // One byte holds most values (usage, counter ids, lengths): answered before the loop.
        let first = self.byte()?;
        if first & 0x80 == 0 {
            return Ok(u64::from(first));
        }
        let mut v = u64::from(first & 0x7f);
        let mut shift = 7;
        loop {
            let b = self.byte()?;
            // The tenth byte holds the 64th bit only.
            if shift == 63 && b > 1 {
                return Err(CodecError);
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift >= 70 {
                return Err(CodecError);
            }
        }
    }

    /// Steps over a varint (at most ten bytes, as [`Reader::varint`] reads).
    #[inline]
    fn skip_varint(&mut self) -> Result<(), CodecError> {
        for _ in 0..10 {
            if self.byte()? & 0x80 == 0 {
                return Ok(());
            }
        }
        Err(CodecError)
    }

    /// A counter's flags byte: bit 0 oldest, bit 1 reset; anything else is refused.
    #[inline]
    fn flags(&mut self) -> Result<u8, CodecError> {
        match self.byte()? {
            f @ 0..=3 => Ok(f),
            _ => Err(CodecError),
        }
    }

    /// The covered days after the counters and the reset days after them, each if any
    /// (a day set is never empty, and reset days are covered ones), then the end of the bytes.
    fn days(&mut self) -> Result<(u32, u32), CodecError> {
        let mut day_set = || -> Result<u32, CodecError> {
            if self.at == self.bytes.len() {
                return Ok(0);
            }
            match self.varint()? {
                v @ 1..0x8000_0000 => Ok(v as u32),
                _ => Err(CodecError),
            }
        };
        let covered = day_set()?;
        let reset_days = if covered == 0 { 0 } else { day_set()? };
        if self.at != self.bytes.len() || reset_days & !covered != 0 {
            return Err(CodecError);
        }
        Ok((covered, reset_days))
    }

    #[inline]
    fn zigzag(&mut self) -> Result<i64, CodecError> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
}

/// The last value of each counter before a period; `None` where the counter has no earlier
/// reading. Filled by walking earlier roll-ups backwards until every wanted key is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    values: [Option<i64>; KEY_COUNT],
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            values: [None; KEY_COUNT],
        }
    }
}

impl Baseline {
    pub fn get(&self, key: Key) -> Option<i64> {
        self.values[key as usize]
    }

    /// Takes the last values of an earlier period for the keys not yet known (walk periods
    /// from the nearest backwards).
    pub fn fill_from(&mut self, earlier: &PeriodStats) {
        for (key, s) in earlier.iter() {
            self.values[key as usize].get_or_insert(s.last);
        }
    }

    /// The baseline after a period: its last values replace the ones before it.
    pub fn advance(&mut self, period: &PeriodStats) {
        for (key, s) in period.iter() {
            self.values[key as usize] = Some(s.last);
        }
    }

    /// Keys of `wanted` that have no value yet.
    pub fn lacks_any(&self, wanted: impl IntoIterator<Item = Key>) -> bool {
        wanted
            .into_iter()
            .any(|k| self.values[k as usize].is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::Key::*;

    proptest::proptest! {
        #[test]
        fn stored_stats_are_written_exactly_as_postcard_writes_them_and_read_back(
            raw in proptest::collection::btree_map(
                0usize..crate::counters::KEY_COUNT,
                (proptest::num::i64::ANY, proptest::num::i64::ANY, 0u8..4),
                0..24,
            ),
            covered in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..(1 << 31)],
            resets in proptest::num::u32::ANY,
        ) {
            // Reset days are among the covered ones.
            let reset_days = resets & covered;
            let stats = PeriodStats {
                entries: raw
                    .iter()
                    .map(|(k, (last, usage, flags))| {
                        let stat = KeyStat {
                            last: *last,
                            usage: *usage,
                            oldest: flags & 1 != 0,
                            reset: flags & 2 != 0,
                        };
                        (crate::counters::ALL_KEYS[*k], stat)
                    })
                    .collect(),
                covered,
                reset_days,
            };
            let tuples: Vec<(u8, i64, i64, u8)> = stats
                .entries
                .iter()
                .map(|(k, s)| (k.id(), s.last, s.usage, s.flags()))
                .collect();
            let bytes = stats.encode();
            let mut theirs = postcard::to_allocvec(&tuples).unwrap();
            for days in [covered, reset_days].into_iter().take_while(|d| *d != 0) {
                theirs.extend(postcard::to_allocvec(&days).unwrap());
            }
            proptest::prop_assert_eq!(&bytes, &theirs);
            proptest::prop_assert_eq!(PeriodStats::decode(&bytes).unwrap(), stats);
        }

        #[test]
        fn split_stats_are_the_kept_counters_with_the_days_and_the_rest(
            raw in proptest::collection::btree_map(
                0usize..crate::counters::KEY_COUNT,
                (proptest::num::i64::ANY, proptest::num::i64::ANY, 0u8..4),
                0..24,
            ),
            covered in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..(1 << 31)],
            keep in proptest::prop_oneof![
                proptest::strategy::Just(crate::counters::BILLING_KEYS),
                proptest::num::u64::ANY,
            ],
            resets in proptest::num::u32::ANY,
        ) {
            let reset_days = resets & covered;
            let stat = |(last, usage, flags): &(i64, i64, u8)| KeyStat {
                last: *last,
                usage: *usage,
                oldest: flags & 1 != 0,
                reset: flags & 2 != 0,
            };
            let stats = PeriodStats {
                entries: raw
                    .iter()
                    .map(|(k, v)| (crate::counters::ALL_KEYS[*k], stat(v)))
                    .collect(),
                covered,
                reset_days,
            };
            let kept = PeriodStats {
                entries: raw
                    .iter()
                    .filter(|(k, _)| keep >> **k & 1 != 0)
                    .map(|(k, v)| (crate::counters::ALL_KEYS[*k], stat(v)))
                    .collect(),
                covered,
                reset_days,
            };
            let others = PeriodStats {
                entries: raw
                    .iter()
                    .filter(|(k, _)| keep >> **k & 1 == 0)
                    .map(|(k, v)| (crate::counters::ALL_KEYS[*k], stat(v)))
                    .collect(),
                covered: 0,
                reset_days: 0,
            };
            let (mut head, mut rest) = (Vec::new(), Vec::new());
            split_encoded(&stats.encode(), keep, &mut head, &mut rest).unwrap();
            proptest::prop_assert_eq!(&head, &kept.encode());
            proptest::prop_assert_eq!(&rest, &others.encode());
            proptest::prop_assert_eq!((head.clone(), rest.clone()), stats.encode_split(keep));
            let mut read = PeriodStats::decode_split(&head, &rest).unwrap();
            read.entries.sort_by_key(|(k, _)| *k);
            proptest::prop_assert_eq!(&read, &stats);
            // Joined back: the same stats, in key order when the kept keys come first.
            let mut joined = Vec::new();
            join_encoded(&head, &rest, &mut joined).unwrap();
            let back = PeriodStats::decode(&joined).unwrap();
            let mut sorted = back.clone();
            sorted.entries.sort_by_key(|(k, _)| *k);
            proptest::prop_assert_eq!(&sorted, &stats);
            if keep == crate::counters::BILLING_KEYS {
                proptest::prop_assert_eq!(&joined, &stats.encode());
            }
        }

        #[test]
        fn stored_counters_are_written_exactly_as_postcard_writes_them_and_read_back(
            raw in proptest::collection::btree_map(
                0usize..crate::counters::KEY_COUNT,
                proptest::num::i64::ANY,
                0..24,
            )
        ) {
            let set = CounterSet::new(
                raw.iter().map(|(k, v)| (crate::counters::ALL_KEYS[*k], *v)).collect(),
            );
            let tuples: Vec<(u8, i64)> = set.iter().map(|(k, v)| (k.id(), v)).collect();
            let bytes = set.encode();
            proptest::prop_assert_eq!(&bytes, &postcard::to_allocvec(&tuples).unwrap());
            proptest::prop_assert_eq!(CounterSet::decode(&bytes).unwrap(), set);
        }

        #[test]
        fn stored_stats_are_read_exactly_as_postcard_reads_them(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)
        ) {
            // Postcard's reading of the whole input, with every counter id known, flags of
            // two bits, and nothing after the counters but up to two nonzero day sets of 31
            // bits, the second within the first.
            let days_of = |rest: &[u8]| -> Option<(u32, u32)> {
                let mut sets = Vec::new();
                let mut rest = rest;
                while !rest.is_empty() && sets.len() < 2 {
                    let (v, more) = postcard::take_from_bytes::<u32>(rest).ok()?;
                    (v != 0 && v < 1 << 31).then_some(())?;
                    sets.push(v);
                    rest = more;
                }
                let (covered, resets) = match sets[..] {
                    [] => (0, 0),
                    [c] => (c, 0),
                    [c, r] => (c, r),
                    _ => unreachable!(),
                };
                (rest.is_empty() && resets & !covered == 0).then_some((covered, resets))
            };
            let theirs = postcard::take_from_bytes::<Vec<(u8, i64, i64, u8)>>(&bytes)
                .ok()
                .and_then(|(raw, rest)| {
                    let (covered, reset_days) = days_of(rest)?;
                    let entries = raw
                        .into_iter()
                        .map(|(id, last, usage, flags)| {
                            let stat = KeyStat {
                                last,
                                usage,
                                oldest: flags & 1 != 0,
                                reset: flags & 2 != 0,
                            };
                            (flags < 4).then_some(())?;
                            Some((Key::from_id(id)?, stat))
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some(PeriodStats {
                        entries,
                        covered,
                        reset_days,
                    })
                });
            proptest::prop_assert_eq!(PeriodStats::decode(&bytes).ok(), theirs);
        }
    }

    #[test]
    fn a_stored_value_longer_than_sixty_four_bits_is_refused_as_postcard_refuses_it() {
        let mut bytes = vec![1, Key::Total1.id()];
        bytes.extend([0xff; 9]);
        bytes.extend([0x7f, 0, 0]);
        let theirs = postcard::from_bytes::<Vec<(u8, i64, i64, bool)>>(&bytes);
        assert!(theirs.is_err());
        assert!(PeriodStats::decode(&bytes).is_err());
    }

    fn set(pairs: &[(Key, i64)]) -> CounterSet {
        CounterSet::new(pairs.to_vec())
    }

    #[test]
    fn the_first_period_counts_the_value_itself_and_is_marked_oldest() {
        let s = PeriodStats::from_readings(
            [&set(&[(Total1, 100)]), &set(&[(Total1, 130)])],
            &Baseline::default(),
        );
        assert_eq!(
            s.get(Total1),
            Some(&KeyStat {
                last: 130,
                usage: 130,
                oldest: true,
                reset: false,
            })
        );
    }

    #[test]
    fn a_period_counts_from_the_last_reading_before_it() {
        let mut b = Baseline::default();
        b.fill_from(&PeriodStats::from_readings(
            [&set(&[(Total1, 177556)])],
            &Baseline::default(),
        ));
        let s = PeriodStats::from_readings([&set(&[(Total1, 178011)])], &b);
        assert_eq!(s.value(Total1, Kind::Usage), Some(455));
        assert_eq!(s.value(Total1, Kind::Cumulative), Some(178011));
        assert!(!s.any_oldest());
    }

    #[test]
    fn a_reset_counts_the_new_value_from_zero_plus_the_growth_before_it() {
        let s = PeriodStats::from_readings(
            [
                &set(&[(Total1, 1000)]),
                &set(&[(Total1, 1050)]),
                &set(&[(Total1, 20)]),
                &set(&[(Total1, 45)]),
            ],
            &{
                let mut b = Baseline::default();
                b.advance(&PeriodStats::from_readings(
                    [&set(&[(Total1, 990)])],
                    &Baseline::default(),
                ));
                b
            },
        );
        // 10 before the first reading, 50 up to the reset, 20 after it, then 25.
        assert_eq!(s.value(Total1, Kind::Usage), Some(105));
        assert_eq!(s.value(Total1, Kind::Cumulative), Some(45));
    }

    #[test]
    fn each_counter_keeps_its_own_baseline() {
        let mut b = Baseline::default();
        b.fill_from(&PeriodStats::from_readings(
            [&set(&[(Total1, 100), (Scan, 7)])],
            &Baseline::default(),
        ));
        // This period reports copy for the first time: its copy usage is the value itself.
        let s = PeriodStats::from_readings([&set(&[(Total1, 150), (Copy, 40)])], &b);
        assert_eq!(s.value(Total1, Kind::Usage), Some(50));
        assert_eq!(s.get(Copy).map(|c| (c.usage, c.oldest)), Some((40, true)));
        assert_eq!(s.value(Scan, Kind::Usage), None);
    }

    #[test]
    fn months_add_up_their_days() {
        let d1 = PeriodStats::from_readings([&set(&[(Total1, 10)])], &Baseline::default());
        let mut b = Baseline::default();
        b.advance(&d1);
        let d2 = PeriodStats::from_readings([&set(&[(Total1, 25), (Mono, 3)])], &b);
        let m = PeriodStats::combine_days([(20210801, &d1), (20210831, &d2)]);
        assert_eq!(
            m.get(Total1),
            Some(&KeyStat {
                last: 25,
                usage: 25,
                oldest: true,
                reset: false,
            })
        );
        assert_eq!(
            m.get(Mono),
            Some(&KeyStat {
                last: 3,
                usage: 3,
                oldest: true,
                reset: false,
            })
        );
        assert_eq!(m.covered(), 1 | 1 << 30, "the 1st and the 31st");
    }

    #[test]
    fn a_counter_that_goes_down_marks_its_period_reset() {
        let mut b = Baseline::default();
        let d1 = PeriodStats::from_readings([&set(&[(Total1, 500), (Color, 50)])], &b);
        b.advance(&d1);
        // Down against the day before (a board replaced overnight).
        let d2 = PeriodStats::from_readings([&set(&[(Total1, 20), (Color, 60)])], &b);
        assert_eq!(d2.get(Total1).map(|s| (s.usage, s.reset)), Some((20, true)));
        assert_eq!(d2.get(Color).map(|s| (s.usage, s.reset)), Some((10, false)));
        b.advance(&d2);
        // Down inside one day.
        let d3 = PeriodStats::from_readings(
            [
                &set(&[(Total1, 40)]),
                &set(&[(Total1, 5)]),
                &set(&[(Total1, 9)]),
            ],
            &b,
        );
        assert_eq!(d3.get(Total1).map(|s| (s.usage, s.reset)), Some((29, true)));
        let m = PeriodStats::combine_days([(20250501, &d1), (20250502, &d2), (20250503, &d3)]);
        assert!(m.get(Total1).unwrap().reset);
        assert!(!m.get(Color).unwrap().reset);
        assert_eq!(m.reset_days(), 0b110, "the 2nd and the 3rd");
        assert_eq!(PeriodStats::decode(&m.encode()), Ok(m.clone()));

        // The same month built reading by reading, as a fleet reporting in order builds it.
        let mut by_reading = PeriodStats::default();
        let none = Baseline::default();
        for (day, reading) in [
            (20250501, set(&[(Total1, 500), (Color, 50)])),
            (20250502, set(&[(Total1, 20), (Color, 60)])),
            (20250503, set(&[(Total1, 40)])),
            (20250503, set(&[(Total1, 5)])),
            (20250503, set(&[(Total1, 9)])),
        ] {
            by_reading.append_on_day(day, &reading, &none);
        }
        assert_eq!(by_reading, m);
    }

    #[test]
    fn stored_stats_decode_straight_into_table_cells() {
        let mut b = Baseline::default();
        b.advance(&PeriodStats::from_readings(
            [&set(&[(Total1, 177556), (Color, 70000)])],
            &Baseline::default(),
        ));
        let s = PeriodStats::from_readings(
            [&set(&[
                (Total1, 178011),
                (Color, 61836),
                (Scan, -5),
                (DutyD, i64::MAX),
            ])],
            &b,
        );
        let bytes = s.encode();
        // Columns: Color, Total1, Scan; DutyD is not shown.
        let mut column = [None; KEY_COUNT];
        column[Color as usize] = Some(0);
        column[Total1 as usize] = Some(1);
        column[Scan as usize] = Some(2);
        for kind in [Kind::Usage, Kind::Cumulative] {
            let mut out = [None; 3];
            let found = decode_values(&bytes, kind, &column, &mut out).unwrap();
            assert_eq!(
                found.oldest, 0b100,
                "scan's first reading is in this period"
            );
            assert_eq!(found.reset, 0b001, "colour went down");
            assert_eq!(
                out,
                [
                    s.value(Color, kind),
                    s.value(Total1, kind),
                    s.value(Scan, kind)
                ]
            );
        }
        let empty = PeriodStats::default().encode();
        let mut out = [None; 3];
        assert_eq!(
            decode_values(&empty, Kind::Usage, &column, &mut out),
            Ok(Decoded::default())
        );
        assert_eq!(
            decode_values(&bytes[..bytes.len() - 1], Kind::Usage, &column, &mut out),
            Err(CodecError)
        );
    }

    #[test]
    fn stats_survive_their_storage_encoding() {
        let s = PeriodStats::from_readings(
            [&set(&[(Total1, 178011), (Color, 61836), (DutyD, 12345)])],
            &Baseline::default(),
        );
        assert_eq!(PeriodStats::decode(&s.encode()), Ok(s));
    }
}

/// The roll-ups of one device's whole history, computed in one pass: days from readings,
/// months from days. The store computes the same thing incrementally; this is the
/// reference it is tested against, and a way to rebuild roll-ups from scratch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Day id (`yyyymmdd`) to stats.
    pub days: std::collections::BTreeMap<i64, PeriodStats>,
    /// Month id (`yyyymm`) to stats.
    pub months: std::collections::BTreeMap<i64, PeriodStats>,
}

impl History {
    /// `readings` are (UTC milliseconds, counters) in any order, without duplicates.
    pub fn roll_up(readings: &[(i64, CounterSet)], tz: &jiff::tz::TimeZone) -> History {
        let mut sorted: Vec<&(i64, CounterSet)> = readings.iter().collect();
        sorted.sort_by_key(|(at, _)| *at);
        let mut history = History::default();
        let mut baseline = Baseline::default();
        let mut i = 0;
        while i < sorted.len() {
            let day = crate::period::day_of_ms(sorted[i].0, tz);
            let (_, end) = crate::period::Period::Day(day).bounds_ms(tz);
            let mut j = i;
            while j < sorted.len() && sorted[j].0 < end {
                j += 1;
            }
            let stats = PeriodStats::from_readings(sorted[i..j].iter().map(|(_, c)| c), &baseline);
            baseline.advance(&stats);
            history.days.insert(crate::period::day_id(day), stats);
            i = j;
        }
        let mut by_month: std::collections::BTreeMap<i64, Vec<(i64, &PeriodStats)>> =
            Default::default();
        for (day, stats) in &history.days {
            by_month
                .entry(crate::period::month_of_day_id(*day))
                .or_default()
                .push((*day, stats));
        }
        for (month, days) in by_month {
            history
                .months
                .insert(month, PeriodStats::combine_days(days));
        }
        history
    }
}
