//! Reading roll-ups back for the counters query (SPEC §7 `/api/v1/counters`, S13-S17).
//!
//! The query is two reads: the devices of the selection, then their roll-ups for the range,
//! both in device id order, so that the caller can merge them one device at a time and stream
//! its answer. Roll-ups are read one block of 64 devices at a time: a 12-month table of
//! 10,000 devices reads about 1,900 rows.

use futures_core::stream::BoxStream;
use meterport_domain::counters::DeviceClass;
use meterport_domain::period::Unit;
use sqlx::{AssertSqlSafe, Row};
use tokio_stream::StreamExt;

use crate::rollups::{Block, block_of, slot_of, table_of};
use crate::{Result, Store, bulk_list, param};

/// Which devices of a tenant a query covers (S12: group and device class; S16: one device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupFilter {
    All,
    /// Devices in no group.
    NoGroup,
    Group(i64),
}

impl GroupFilter {
    /// Parses `all`, `none` or a group id.
    pub fn parse(s: &str) -> Option<GroupFilter> {
        match s {
            "all" | "" => Some(GroupFilter::All),
            "none" => Some(GroupFilter::NoGroup),
            _ => s.parse().ok().filter(|id| *id > 0).map(GroupFilter::Group),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub group: GroupFilter,
    pub class: DeviceClass,
    pub device: Option<i64>,
}

/// A device as the counters tables show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDevice {
    pub id: i64,
    pub serial: String,
    pub name: String,
    pub location: Option<String>,
    pub group: Option<(i64, String)>,
    pub lfp_unit: Option<String>,
}

/// The WHERE clause of a selection, with its parameters from `$first` on.
fn selection_sql(sel: &Selection, first: usize) -> (String, Vec<i64>) {
    let mut sql = String::from("d.tenant_id = $1");
    let mut params = Vec::new();
    let mut n = first;
    match sel.class {
        DeviceClass::Lfp => sql.push_str(" AND d.device_type = 'lfp'"),
        DeviceClass::Mfp => sql.push_str(" AND d.device_type <> 'lfp'"),
    }
    match sel.group {
        GroupFilter::All => {}
        GroupFilter::NoGroup => sql.push_str(" AND d.group_id IS NULL"),
        GroupFilter::Group(g) => {
            sql.push_str(&format!(" AND d.group_id = ${n}"));
            params.push(g);
            n += 1;
        }
    }
    if let Some(id) = sel.device {
        sql.push_str(&format!(" AND d.id = ${n}"));
        params.push(id);
    }
    (sql, params)
}

impl Store {
    /// The devices of the tenant in the selection, by id. Empty when a `device` of the
    /// selection is outside it (or of another tenant): the caller answers 404.
    pub async fn counter_devices(
        &self,
        tenant_id: i64,
        sel: &Selection,
    ) -> Result<Vec<CounterDevice>> {
        let (filter, params) = selection_sql(sel, 2);
        let sql = format!(
            "SELECT d.id, d.serial, d.name, d.location, g.id, g.name, d.lfp_unit \
             FROM devices d LEFT JOIN device_groups g ON g.id = d.group_id \
             WHERE {filter} ORDER BY d.id"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        for p in params {
            q = q.bind(p);
        }
        let rows = q.fetch_all(self.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|r| CounterDevice {
                id: r.get(0),
                serial: r.get(1),
                name: r.get(2),
                location: r.get(3),
                group: r.get::<Option<i64>, _>(4).map(|id| (id, r.get(5))),
                lfp_unit: r.get(6),
            })
            .collect())
    }

    /// The roll-up stats `(device id, period id, encoded stats)` of the given devices of the
    /// tenant (`device_ids` sorted) for periods `from..=to` (`yyyymm` or `yyyymmdd`), in
    /// device then period order, as a stream.
    ///
    /// Roll-ups are stored per block of 64 devices ([`crate::rollups`]): one index range
    /// per block, its rows held while the block's devices are handed out one by one, so
    /// memory stays at one block's rows whatever the size of the answer.
    pub fn counter_rollups(
        &self,
        tenant_id: i64,
        device_ids: Vec<i64>,
        unit: Unit,
        from: i64,
        to: i64,
    ) -> BoxStream<'static, Result<(i64, i64, Vec<u8>)>> {
        let (table, col) = table_of(unit);
        let pool = self.pool().clone();
        let backend = self.backend();
        let stream = async_stream::try_stream! {
            let mut blocks: Vec<i64> = device_ids.iter().map(|id| block_of(*id)).collect();
            blocks.dedup();
            let mut devices = device_ids.iter().copied().peekable();
            for chunk in blocks.chunks(500) {
                let sql = format!(
                    "SELECT block, {col}, data FROM {table} \
                     WHERE tenant_id = {} AND {col} >= {} AND {col} <= {} AND block IN ({}) \
                     ORDER BY block, {col}",
                    param(backend, 1),
                    param(backend, 2),
                    param(backend, 3),
                    bulk_list(backend, 4, chunk.len())
                );
                let mut q = sqlx::query(AssertSqlSafe(sql))
                    .persistent(false)
                    .bind(tenant_id)
                    .bind(from)
                    .bind(to);
                for b in chunk {
                    q = q.bind(*b);
                }
                let mut rows = q.fetch(&pool);
                // The rows of the block being read: (period, block row).
                let mut held: Vec<(i64, Block)> = Vec::new();
                let mut held_block: Option<i64> = None;
                loop {
                    let next = rows.next().await.transpose()?;
                    let next_block = next.as_ref().map(|r| r.get::<i64, _>(0));
                    if held_block.is_some() && next_block != held_block {
                        let block = held_block.take().expect("checked");
                        // Devices of earlier blocks without rows have nothing to hand out.
                        while devices.next_if(|d| block_of(*d) < block).is_some() {}
                        while let Some(device) = devices.next_if(|d| block_of(*d) == block) {
                            for (period, row) in &held {
                                if let Some(raw) = row.raw(slot_of(device)) {
                                    yield (device, *period, raw.to_vec());
                                }
                            }
                        }
                        held.clear();
                    }
                    let Some(row) = next else { break };
                    held_block = next_block;
                    held.push((row.get::<i64, _>(1), Block::decode(&row.get::<Vec<u8>, _>(2))?));
                }
            }
        };
        Box::pin(stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_filters_parse_all_none_and_ids() {
        assert_eq!(GroupFilter::parse("all"), Some(GroupFilter::All));
        assert_eq!(GroupFilter::parse("none"), Some(GroupFilter::NoGroup));
        assert_eq!(GroupFilter::parse("12"), Some(GroupFilter::Group(12)));
        assert_eq!(GroupFilter::parse("-3"), None);
        assert_eq!(GroupFilter::parse("x"), None);
    }
}
