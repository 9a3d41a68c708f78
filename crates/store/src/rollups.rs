//! Roll-ups stored per block of devices (the tables `day_rollups` and `month_rollups`).
//!
//! A roll-up row holds, for one tenant, one period and one *block* of 64 neighbouring
//! device ids (`device_id >> 6`), the [`PeriodStats`] of each device of the block that has a
//! reading in the period. Why blocks: a fleet reports in time order, so a batch of readings
//! touches one period of thousands of devices. One row per device would make a batch write
//! thousands of small rows scattered over the table and a fleet-wide query read one row per
//! device and period (120,000 rows for 10,000 devices over 12 months). Per block, the batch
//! rewrites one row per block and the query reads one row per block and period (1,900 rows),
//! while a single device's row stays small enough (a few KiB) to rewrite on every report.
//!
//! The tenant is part of the key, so a block only ever holds one tenant's devices.
//!
//! Each row is stored in two parts ([`Block::encode_split`]): a *head* with its devices'
//! stats restricted to the counters a contract bills on ([`BILLING_KEYS`]: Total 1, colour,
//! monochrome) and the covered and reset days, then the *rest* with the other counters. A
//! billing system asking Total 1 of a whole fleet reads the heads ([`Part::Billing`]), a
//! fifth of the rows' bytes; a full table reads both, no more than one whole row.

use meterport_domain::counters::{BILLING_KEYS, CodecError};
use meterport_domain::engine::{PeriodStats, join_encoded, put_varint, split_encoded};
use meterport_domain::period::Unit;

/// Devices per block: `1 << BLOCK_BITS`.
pub const BLOCK_BITS: u32 = 6;

/// The block of a device.
pub fn block_of(device_id: i64) -> i64 {
    device_id >> BLOCK_BITS
}

/// A device's place in its block.
pub fn slot_of(device_id: i64) -> u8 {
    (device_id & ((1 << BLOCK_BITS) - 1)) as u8
}

/// The device at `slot` of `block`.
pub fn device_at(block: i64, slot: u8) -> i64 {
    (block << BLOCK_BITS) | i64::from(slot)
}

/// The roll-up table and its period column for a unit.
pub(crate) fn table_of(unit: Unit) -> (&'static str, &'static str) {
    match unit {
        Unit::Day => ("day_rollups", "day"),
        Unit::Month => ("month_rollups", "month"),
    }
}

/// What a reader of roll-up rows needs of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Every counter: the row's `data`.
    Whole,
    /// The counters a contract bills on ([`BILLING_KEYS`]) and the covered days: the row's
    /// head ([`Block::encode_split`]), in the same form, a fraction of the bytes.
    Billing,
}

impl Part {
    /// The part a table of `keys` needs.
    pub fn for_keys(keys: impl IntoIterator<Item = meterport_domain::counters::Key>) -> Part {
        if keys.into_iter().all(|k| BILLING_KEYS & k.bit() != 0) {
            Part::Billing
        } else {
            Part::Whole
        }
    }

    /// The two column expressions that read it: the head, or the whole row where it has
    /// no head yet; and, for every counter, the rest (`NULL` for the billing part).
    pub(crate) fn columns(self) -> &'static str {
        match self {
            Part::Whole => "head, data",
            Part::Billing => "COALESCE(head, data), NULL",
        }
    }
}

/// One roll-up row: each device's stats in their encoded form, by slot, kept as they are
/// stored: split in the head's part and the rest ([`Block::encode_split`]), so that a writer
/// rewriting a row copies bytes and decodes only the devices it changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block {
    /// Sorted by slot, one entry per slot: the slot, its stats' head part then its rest in
    /// one buffer, and where the rest starts.
    entries: Vec<(u8, Vec<u8>, usize)>,
}

/// An entry's head part and rest.
fn parts((_, both, at): &(u8, Vec<u8>, usize)) -> (&[u8], &[u8]) {
    both.split_at(*at)
}

impl Block {
    /// Reads a row in its whole form, [`Block::encode`]'s (postcard: a varint count, then
    /// per device its slot byte, a varint length and the stats' bytes), with
    /// [`BlockView::parse`]'s checks.
    pub fn decode(bytes: &[u8]) -> Result<Block, CodecError> {
        let view = BlockView::parse(bytes)?;
        let mut entries = Vec::new();
        for slot in 0..1u8 << BLOCK_BITS {
            if let Some(data) = view.raw(slot) {
                let (mut both, mut rest) = (Vec::with_capacity(data.len() + 1), Vec::new());
                split_encoded(data, BILLING_KEYS, &mut both, &mut rest)?;
                let at = both.len();
                both.extend_from_slice(&rest);
                entries.push((slot, both, at));
            }
        }
        Ok(Block { entries })
    }

    /// The whole form: postcard's form of `Vec<(u8, Vec<u8>)>`, each device's stats whole.
    /// Rows were stored so before heads were kept; [`Block::decode_stored`] still reads them.
    pub fn encode(&self) -> Vec<u8> {
        let size: usize = self.entries.iter().map(|(_, b, _)| b.len() + 4).sum();
        let mut out = Vec::with_capacity(size + 2);
        put_varint(&mut out, self.entries.len() as u64);
        let mut joined = Vec::new();
        for entry in &self.entries {
            let (head, rest) = parts(entry);
            joined.clear();
            join_encoded(head, rest, &mut joined).expect("parts this block made");
            out.push(entry.0);
            put_varint(&mut out, joined.len() as u64);
            out.extend_from_slice(&joined);
        }
        out
    }

    /// The row as stored: its *head*, the form of [`Block::encode`] with each device's
    /// stats restricted to the counters a contract bills on ([`BILLING_KEYS`]) and its
    /// covered and reset days, and its *rest*, the same with the other counters and no
    /// days. Every device of the row has an entry in both, also with no counter there.
    /// The head is stored before the rest, so that a query of the billing counters alone
    /// reads the head and never the rest; [`Block::decode_stored`] reads them back.
    pub fn encode_split(&self) -> (Vec<u8>, Vec<u8>) {
        let size: usize = self.entries.iter().map(|(_, b, _)| b.len() + 4).sum();
        let mut head = Vec::with_capacity(size / 4 + 2);
        let mut rest = Vec::with_capacity(size + 2);
        put_varint(&mut head, self.entries.len() as u64);
        put_varint(&mut rest, self.entries.len() as u64);
        for entry in &self.entries {
            let (h, r) = parts(entry);
            for (out, part) in [(&mut head, h), (&mut rest, r)] {
                out.push(entry.0);
                put_varint(out, part.len() as u64);
                out.extend_from_slice(part);
            }
        }
        (head, rest)
    }

    /// Reads a row as stored: its head and rest ([`Block::encode_split`]), or, for a row
    /// stored before heads were kept (`head` NULL), its whole [`Block::encode`] in `data`.
    pub fn decode_stored(head: Option<&[u8]>, data: &[u8]) -> Result<Block, CodecError> {
        let Some(head) = head else {
            return Block::decode(data);
        };
        let (head, rest) = (BlockView::parse(head)?, BlockView::parse(data)?);
        let mut entries = Vec::new();
        for slot in 0..1u8 << BLOCK_BITS {
            match (head.raw(slot), rest.raw(slot)) {
                (None, None) => {}
                (Some(h), Some(r)) => {
                    let mut both = Vec::with_capacity(h.len() + r.len());
                    both.extend_from_slice(h);
                    both.extend_from_slice(r);
                    entries.push((slot, both, h.len()));
                }
                // A head and a rest of different devices: not a row this store wrote.
                _ => return Err(CodecError),
            }
        }
        Ok(Block { entries })
    }

    pub fn get(&self, slot: u8) -> Result<Option<PeriodStats>, CodecError> {
        let Ok(i) = self.entries.binary_search_by_key(&slot, |(s, ..)| *s) else {
            return Ok(None);
        };
        let (head, rest) = parts(&self.entries[i]);
        PeriodStats::decode_split(head, rest).map(Some)
    }

    pub fn set(&mut self, slot: u8, stats: &PeriodStats) {
        let mut both = Vec::new();
        let at = stats.encode_split_into(BILLING_KEYS, &mut both);
        match self.entries.binary_search_by_key(&slot, |(s, ..)| *s) {
            Ok(i) => self.entries[i] = (slot, both, at),
            Err(i) => self.entries.insert(i, (slot, both, at)),
        }
    }

    pub fn remove(&mut self, slot: u8) -> bool {
        match self.entries.binary_search_by_key(&slot, |(s, ..)| *s) {
            Ok(i) => {
                self.entries.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The bytes the row takes in memory, roughly (for keeping rows within a budget).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Block>()
            + self
                .entries
                .iter()
                .map(|(_, b, _)| b.capacity() + std::mem::size_of::<(u8, Vec<u8>, usize)>())
                .sum::<usize>()
    }

    /// The slots with stats, in order.
    pub fn slots(&self) -> impl Iterator<Item = u8> + '_ {
        self.entries.iter().map(|(s, ..)| *s)
    }
}

/// A stored roll-up row read for display: its bytes as they came from the database and
/// where each slot's stats lie in them. Nothing is copied: a fleet-wide query reads
/// thousands of these rows and decodes each device's stats straight from them.
#[derive(Debug, Clone)]
pub struct BlockView<B = Vec<u8>> {
    bytes: B,
    /// `(start, end)` of each slot's stats in `bytes`; `None` where the slot has none.
    slots: [Option<(u32, u32)>; 1 << BLOCK_BITS],
}

impl<B: AsRef<[u8]>> BlockView<B> {
    /// Indexes a row in the form [`Block::encode`] writes: slots in ascending order, each
    /// within the block, every byte accounted for. By hand, because serde reads a `Vec<u8>`
    /// one element at a time and a fleet-wide query reads thousands of rows.
    pub fn parse(owner: B) -> Result<BlockView<B>, CodecError> {
        let mut slots = [None; 1 << BLOCK_BITS];
        let bytes = owner.as_ref();
        let mut at = 0;
        let n = varint(bytes, &mut at)?;
        let mut previous: Option<u8> = None;
        for _ in 0..n {
            let slot = *bytes.get(at).ok_or(CodecError)?;
            at += 1;
            let len = varint(bytes, &mut at)?;
            let end = at.checked_add(len).ok_or(CodecError)?;
            if end > bytes.len()
                || previous.is_some_and(|p| p >= slot)
                || usize::from(slot) >= slots.len()
            {
                return Err(CodecError);
            }
            previous = Some(slot);
            slots[usize::from(slot)] = Some((at as u32, end as u32));
            at = end;
        }
        if at != bytes.len() {
            return Err(CodecError);
        }
        Ok(BlockView {
            bytes: owner,
            slots,
        })
    }

    /// The encoded stats of the device at `slot`.
    pub fn raw(&self, slot: u8) -> Option<&[u8]> {
        let (start, end) = (*self.slots.get(usize::from(slot))?)?;
        Some(&self.bytes.as_ref()[start as usize..end as usize])
    }
}

/// A LEB128 varint as postcard writes lengths.
fn varint(bytes: &[u8], at: &mut usize) -> Result<usize, CodecError> {
    let mut v: usize = 0;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at).ok_or(CodecError)?;
        *at += 1;
        v |= usize::from(b & 0x7f).checked_shl(shift).ok_or(CodecError)?;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(CodecError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use meterport_domain::counters::{CounterSet, Key};
    use meterport_domain::engine::Baseline;

    fn stats(v: i64) -> PeriodStats {
        PeriodStats::from_readings(
            [&CounterSet::new(vec![(Key::Total1, v)])],
            &Baseline::default(),
        )
    }

    #[test]
    fn a_device_id_is_its_block_and_slot() {
        for id in [0, 1, 63, 64, 65, 1_000_003] {
            assert_eq!(device_at(block_of(id), slot_of(id)), id);
        }
        assert_eq!(block_of(64), 1);
        assert_eq!(slot_of(64), 0);
        assert_eq!(slot_of(127), 63);
    }

    #[test]
    fn a_block_keeps_each_device_s_stats_through_its_encoding() {
        let mut b = Block::default();
        b.set(9, &stats(90));
        b.set(2, &stats(20));
        b.set(9, &stats(99));
        let back = Block::decode(&b.encode()).unwrap();
        assert_eq!(back.get(2).unwrap(), Some(stats(20)));
        assert_eq!(back.get(9).unwrap(), Some(stats(99)));
        assert_eq!(back.get(3).unwrap(), None);
        assert_eq!(back.slots().collect::<Vec<_>>(), vec![2, 9]);
        let mut back = back;
        assert!(back.remove(2));
        assert!(!back.remove(2));
        assert_eq!(back.slots().count(), 1);
    }

    #[test]
    fn a_block_reads_what_postcard_writes_also_with_long_entries() {
        let long = PeriodStats::from_readings(
            [&CounterSet::new(
                meterport_domain::counters::ALL_KEYS
                    .iter()
                    .map(|k| (*k, 1 << 50))
                    .collect(),
            )],
            &Baseline::default(),
        );
        let entries: Vec<(u8, Vec<u8>)> = vec![
            (0, PeriodStats::default().encode()),
            (7, stats(9).encode()),
            (63, long.encode()),
        ];
        assert!(entries[2].1.len() > 128, "a length of two bytes");
        let bytes = postcard::to_allocvec(&entries).unwrap();
        let b = Block::decode(&bytes).unwrap();
        assert_eq!(b.get(7).unwrap(), Some(stats(9)));
        assert_eq!(b.get(63).unwrap(), Some(long));
        assert_eq!(b.encode(), bytes);
        assert_eq!(Block::decode(&bytes[..bytes.len() - 1]), Err(CodecError));
    }

    #[test]
    fn a_block_view_finds_each_slot_s_stats_without_copying_the_row() {
        let mut b = Block::default();
        b.set(0, &stats(1));
        b.set(17, &stats(170));
        b.set(63, &stats(630));
        let bytes = b.encode();
        let view = BlockView::parse(bytes.clone()).unwrap();
        for slot in 0..64u8 {
            let found = view.raw(slot).map(|raw| PeriodStats::decode(raw).unwrap());
            assert_eq!(found, b.get(slot).unwrap(), "slot {slot}");
        }
        assert_eq!(
            BlockView::parse(bytes[..bytes.len() - 1].to_vec()).err(),
            Some(CodecError)
        );
        let mut longer = bytes;
        longer.push(0);
        assert_eq!(BlockView::parse(longer).err(), Some(CodecError));
        let disorder = postcard::to_allocvec(&vec![(5u8, vec![0u8]), (3u8, vec![0u8])]).unwrap();
        assert_eq!(BlockView::parse(disorder).err(), Some(CodecError));
        let beyond = postcard::to_allocvec(&vec![(64u8, vec![0u8])]).unwrap();
        assert_eq!(BlockView::parse(beyond).err(), Some(CodecError));
    }

    #[test]
    fn a_block_is_stored_as_its_billing_head_and_the_rest_and_read_back_whole() {
        let with = |pairs: Vec<(Key, i64)>| {
            PeriodStats::from_readings([&CounterSet::new(pairs)], &Baseline::default())
        };
        let mut b = Block::default();
        b.set(
            3,
            &with(vec![
                (Key::Total1, 500),
                (Key::Color, 200),
                (Key::Mono, 300),
                (Key::PaperA4, 450),
            ]),
        );
        // A device that reported none of the billing counters keeps an entry: it reported.
        b.set(40, &with(vec![(Key::Scan, 70)]));
        let (head_bytes, rest_bytes) = b.encode_split();
        let head = Block::decode(&head_bytes).unwrap();
        let rest = Block::decode(&rest_bytes).unwrap();
        assert_eq!(head.slots().collect::<Vec<_>>(), vec![3, 40]);
        assert_eq!(rest.slots().collect::<Vec<_>>(), vec![3, 40]);
        let three = head.get(3).unwrap().unwrap();
        let keys: Vec<Key> = three.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec![Key::Total1, Key::Color, Key::Mono]);
        let full = b.get(3).unwrap().unwrap();
        for k in keys {
            assert_eq!(three.get(k), full.get(k));
        }
        let others: Vec<Key> = rest
            .get(3)
            .unwrap()
            .unwrap()
            .iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(others, vec![Key::PaperA4]);
        assert!(head.get(40).unwrap().unwrap().is_empty());
        assert_eq!(
            Block::decode_stored(Some(&head_bytes), &rest_bytes).unwrap(),
            b
        );
        // A row stored before heads were kept is whole in `data`.
        assert_eq!(Block::decode_stored(None, &b.encode()).unwrap(), b);
        // A head and a rest that do not hold the same devices are refused.
        let mut other = Block::default();
        other.set(5, &with(vec![(Key::Total1, 1)]));
        let (_, other_rest) = other.encode_split();
        assert_eq!(
            Block::decode_stored(Some(&head_bytes), &other_rest),
            Err(CodecError)
        );
    }

    #[test]
    fn a_query_of_billing_counters_reads_the_head_and_any_other_the_whole_row() {
        assert_eq!(Part::for_keys([Key::Total1]), Part::Billing);
        assert_eq!(
            Part::for_keys([Key::Mono, Key::Color, Key::Total1]),
            Part::Billing
        );
        assert_eq!(Part::for_keys([Key::Total1, Key::Scan]), Part::Whole);
        assert_eq!(Part::for_keys([Key::DutyA]), Part::Whole);
    }

    #[test]
    fn a_block_with_slots_out_of_order_is_refused() {
        let bytes = postcard::to_allocvec(&vec![(5u8, vec![0u8]), (3u8, vec![0u8])]).unwrap();
        assert_eq!(Block::decode(&bytes), Err(CodecError));
    }
}
