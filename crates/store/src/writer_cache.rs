//! What the ingest writer keeps of the database between its transactions, on SQLite: the
//! devices' latest reading times and the roll-up rows it last read or wrote. With them, a
//! batch of a fleet that reports in time order reads nothing back before it writes.
//!
//! The cache is only ever a copy of what is committed, and is used only when nobody else
//! can have written since the writer's last commit:
//! - `PRAGMA data_version` on the writer connection changes whenever another connection,
//!   of this process or another, has committed;
//! - [`Store::begin_write`](crate::Store::begin_write) counts every other transaction on the
//!   writer connection (the store's write generation).
//!
//! If either moved, the cache is emptied before the transaction reads anything. Within a
//! group commit, a batch takes the rows it needs out of the cache and puts them back (as
//! written) only once all of its statements have succeeded; a batch that is refused or fails
//! leaves those rows out, so the database answers for them. A failed commit empties the
//! cache. On PostgreSQL, where other instances write beside this one, nothing is kept.

use std::collections::HashMap;

use crate::rollups::Block;

/// Roll-up rows kept at most, in bytes of memory (of the writer's rows: a fleet of 10,000
/// devices touches about 5 MiB of them per batch).
const ROW_BUDGET: usize = 24 << 20;

/// Devices whose latest reading time is kept at most.
const LATEST_BUDGET: usize = 2_000_000;

/// The writer's copy. See the module documentation for when it is trusted.
#[derive(Debug, Default)]
pub(crate) struct WriterCache {
    /// The writer connection's `data_version` and the store's write generation at the
    /// writer's last commit; `None` when nothing is kept.
    valid_at: Option<(i64, u64)>,
    /// Device id to its latest reading time (`device_reading_times.last_at`); a device
    /// without readings is not kept.
    pub(crate) latest: HashMap<i64, i64>,
    pub(crate) days: KeptRows,
    pub(crate) months: KeptRows,
}

impl WriterCache {
    /// Empties the cache unless it was valid at `version` (data version and generation).
    pub(crate) fn check(&mut self, version: (i64, u64)) {
        if self.valid_at != Some(version) {
            self.clear();
        }
    }

    /// Marks the cache as matching the database committed at `version`, and keeps it
    /// within its budget.
    pub(crate) fn committed(&mut self, version: (i64, u64)) {
        self.valid_at = Some(version);
        if self.latest.len() > LATEST_BUDGET {
            self.latest.clear();
        }
        self.days.end_group();
        self.months.end_group();
        let over = self.days.bytes + self.months.bytes > ROW_BUDGET;
        if over {
            // Rows the last two groups did not use go first; the rest if that is not enough.
            self.days.evict_older_than(2);
            self.months.evict_older_than(2);
            if self.days.bytes + self.months.bytes > ROW_BUDGET {
                self.days.clear();
                self.months.clear();
            }
        }
    }

    pub(crate) fn clear(&mut self) {
        self.valid_at = None;
        self.latest.clear();
        self.days.clear();
        self.months.clear();
    }
}

/// Kept roll-up rows of one table, by `(tenant, block, period)`. An empty [`Block`] stands
/// for a row that does not exist.
#[derive(Debug, Default)]
pub(crate) struct KeptRows {
    rows: HashMap<(i64, i64, i64), (Block, u64)>,
    bytes: usize,
    /// Counts group commits; each row remembers the last one that used it.
    group: u64,
}

impl KeptRows {
    /// Takes a row out (the caller puts it back once its batch has succeeded).
    pub(crate) fn take(&mut self, tenant_id: i64, block: i64, period: i64) -> Option<Block> {
        let (row, _) = self.rows.remove(&(tenant_id, block, period))?;
        self.bytes -= row.memory_bytes();
        Some(row)
    }

    pub(crate) fn put(&mut self, tenant_id: i64, block: i64, period: i64, row: Block) {
        self.bytes += row.memory_bytes();
        if let Some((old, _)) = self
            .rows
            .insert((tenant_id, block, period), (row, self.group))
        {
            self.bytes -= old.memory_bytes();
        }
    }

    fn end_group(&mut self) {
        self.group += 1;
    }

    /// Drops the rows not used in the last `groups` group commits.
    fn evict_older_than(&mut self, groups: u64) {
        let keep_from = self.group.saturating_sub(groups);
        let mut freed = 0;
        self.rows.retain(|_, (row, used)| {
            let keep = *used >= keep_from;
            if !keep {
                freed += row.memory_bytes();
            }
            keep
        });
        self.bytes -= freed;
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use meterport_domain::counters::{CounterSet, Key};
    use meterport_domain::engine::{Baseline, PeriodStats};

    fn row(devices: u8) -> Block {
        let mut block = Block::default();
        for slot in 0..devices {
            let reading = CounterSet::new(vec![(Key::Total1, 1000 + i64::from(slot))]);
            block.set(
                slot,
                &PeriodStats::from_readings([&reading], &Baseline::default()),
            );
        }
        block
    }

    #[test]
    fn kept_rows_count_their_bytes_and_give_each_row_back_once() {
        let mut kept = KeptRows::default();
        kept.put(1, 7, 20211120, row(3));
        kept.put(1, 7, 20211121, row(64));
        kept.put(1, 7, 20211121, row(2));
        let all = kept.bytes;
        assert_eq!(all, row(3).memory_bytes() + row(2).memory_bytes());
        assert_eq!(kept.take(1, 7, 20211121), Some(row(2)));
        assert_eq!(kept.take(1, 7, 20211121), None, "taken rows are gone");
        assert_eq!(
            kept.take(2, 7, 20211120),
            None,
            "another tenant's block is not ours"
        );
        assert_eq!(kept.bytes, row(3).memory_bytes());
        kept.clear();
        assert_eq!(kept.bytes, 0);
    }

    #[test]
    fn rows_unused_for_two_groups_are_evicted_first() {
        let mut kept = KeptRows::default();
        kept.put(1, 1, 1, row(1));
        kept.end_group();
        kept.put(1, 3, 1, row(1));
        kept.end_group();
        kept.end_group();
        kept.put(1, 2, 1, row(1));
        kept.evict_older_than(2);
        assert!(kept.take(1, 1, 1).is_none(), "unused for two groups");
        assert!(
            kept.take(1, 3, 1).is_some(),
            "used in the last but one group"
        );
        assert!(kept.take(1, 2, 1).is_some());
        assert_eq!(kept.bytes, 0);
    }

    #[test]
    fn a_cache_is_trusted_only_at_the_version_it_was_committed_at() {
        let mut cache = WriterCache::default();
        cache.latest.insert(5, 1);
        cache.committed((3, 1));
        cache.check((3, 1));
        assert_eq!(cache.latest.get(&5), Some(&1));
        cache.check((4, 1));
        assert!(cache.latest.is_empty(), "another connection committed");
        cache.latest.insert(5, 1);
        cache.committed((4, 1));
        cache.check((4, 2));
        assert!(
            cache.latest.is_empty(),
            "another write transaction on the writer"
        );
    }
}
