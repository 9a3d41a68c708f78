//! Reading roll-ups back for the counters query (SPEC §7 `/api/v1/counters`, S13-S17).
//!
//! The query is two reads: the devices of the selection, then their roll-ups for the range,
//! both in device id order, so that the caller can merge them one device at a time and stream
//! its answer. Roll-ups are read one block of 64 devices at a time: a 12-month table of
//! 10,000 devices reads about 1,900 rows.

use std::collections::HashMap;

use futures_core::stream::BoxStream;
use meterport_domain::counters::DeviceClass;
use meterport_domain::device::{DeviceType, LfpUnit};
use meterport_domain::period::Unit;
use sqlx::{AssertSqlSafe, Row};
use tokio_stream::StreamExt;

use crate::rollups::{BlockView, Part, table_of};
use crate::{Result, Store, bulk_list, param};
use meterport_domain::counters::CodecError;
use meterport_domain::engine::PeriodStats;

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
    pub lfp_unit: Option<LfpUnit>,
}

/// A tenant's devices as the counters tables list them, with what a selection filters on.
#[derive(Debug, Clone)]
struct ListedDevice {
    device: CounterDevice,
    is_lfp: bool,
}

impl ListedDevice {
    fn selected(&self, sel: &Selection) -> bool {
        let class = match sel.class {
            DeviceClass::Lfp => self.is_lfp,
            DeviceClass::Mfp => !self.is_lfp,
        };
        let group = match sel.group {
            GroupFilter::All => true,
            GroupFilter::NoGroup => self.device.group.is_none(),
            GroupFilter::Group(g) => self.device.group.as_ref().is_some_and(|(id, _)| *id == g),
        };
        class && group && sel.device.is_none_or(|id| id == self.device.id)
    }
}

/// Tenants with at least this many devices keep their list in memory between queries.
/// Loading 10,000 devices row by row takes tens of milliseconds, most of a fleet-wide
/// month's answer; a small tenant's list loads in well under one.
const CACHED_FROM: usize = 500;
/// At most this many tenants' lists are kept (about 1.5 MB per 10,000 devices).
const CACHED_TENANTS: usize = 32;

/// Large tenants' device lists, each with the tenant's `directory_version` it was read at.
/// The version is bumped by database triggers on every change to the listed columns
/// (migration 0007), whoever makes it, so a list is used only while it is current.
/// A tenant's device list as kept in memory.
type KeptList = std::sync::Arc<Vec<ListedDevice>>;

#[derive(Debug, Default)]
pub(crate) struct DirectoryCache {
    lists: std::sync::Mutex<HashMap<i64, (i64, KeptList)>>,
}

impl Store {
    /// The devices of the tenant in the selection, by id. Empty when a `device` of the
    /// selection is outside it (or of another tenant): the caller answers 404.
    pub async fn counter_devices(
        &self,
        tenant_id: i64,
        sel: &Selection,
    ) -> Result<Vec<CounterDevice>> {
        if sel.device.is_some() {
            // One device: a single indexed row, nothing to gain from the list.
            return self.load_listed(tenant_id, sel.device).await.map(|list| {
                list.into_iter()
                    .filter(|d| d.selected(sel))
                    .map(|d| d.device)
                    .collect()
            });
        }
        // The version first: a change after this read bumps it again, so a list read
        // below is never kept as newer than it is.
        let version: Option<i64> =
            sqlx::query_scalar("SELECT directory_version FROM tenants WHERE id = $1")
                .bind(tenant_id)
                .fetch_optional(self.pool())
                .await?;
        let Some(version) = version else {
            return Ok(Vec::new());
        };
        let cached = {
            let lists = self.directory.lists.lock().expect("not poisoned");
            lists
                .get(&tenant_id)
                .filter(|(v, _)| *v == version)
                .map(|(_, list)| list.clone())
        };
        let list = match cached {
            Some(list) => list,
            None => {
                let list = std::sync::Arc::new(self.load_listed(tenant_id, None).await?);
                if list.len() >= CACHED_FROM {
                    let mut lists = self.directory.lists.lock().expect("not poisoned");
                    if lists.len() >= CACHED_TENANTS && !lists.contains_key(&tenant_id) {
                        // Room for this one: drop the smallest list.
                        if let Some(smallest) = lists
                            .iter()
                            .min_by_key(|(_, (_, l))| l.len())
                            .map(|(t, _)| *t)
                        {
                            lists.remove(&smallest);
                        }
                    }
                    lists.insert(tenant_id, (version, list.clone()));
                }
                list
            }
        };
        Ok(list
            .iter()
            .filter(|d| d.selected(sel))
            .map(|d| d.device.clone())
            .collect())
    }

    /// The tenant's devices (or the one `device`), by id, read from the database.
    async fn load_listed(&self, tenant_id: i64, device: Option<i64>) -> Result<Vec<ListedDevice>> {
        let mut sql = String::from(
            "SELECT d.id, d.serial, d.name, d.location, g.id AS group_id, g.name AS group_name, \
             d.lfp_unit, d.device_type \
             FROM devices d LEFT JOIN device_groups g ON g.id = d.group_id \
             WHERE d.tenant_id = $1",
        );
        if device.is_some() {
            sql.push_str(" AND d.id = $2");
        }
        sql.push_str(" ORDER BY d.id");
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        if let Some(id) = device {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.into_iter()
            .map(|r| {
                let lfp_unit = crate::devices::stored_lfp_unit(&r)?;
                let device_type = crate::devices::stored(&r, "device_type", DeviceType::parse)?;
                Ok(ListedDevice {
                    device: CounterDevice {
                        id: r.get("id"),
                        serial: r.get("serial"),
                        name: r.get("name"),
                        location: r.get("location"),
                        group: r
                            .get::<Option<i64>, _>("group_id")
                            .map(|id| (id, r.get("group_name"))),
                        lfp_unit,
                    },
                    is_lfp: device_type == DeviceType::Lfp,
                })
            })
            .collect()
    }

    /// The time of the tenant's first stored reading (after a retention purge, the start of
    /// what is kept), if any.
    pub async fn first_reading_ms(&self, tenant_id: i64) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT MIN(rt.first_at) FROM device_reading_times rt \
             JOIN devices d ON d.id = rt.device_id WHERE d.tenant_id = $1",
        )
        .bind(tenant_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<Option<i64>, _>(0)?)
    }

    /// The roll-up rows of the given blocks of the tenant (`blocks` sorted, see
    /// [`crate::rollups::block_of`]) for periods `from..=to` (`yyyymm` or `yyyymmdd`), as a
    /// stream of one [`BlockRows`] per block that has any, in block order.
    ///
    /// One index range per block; the caller holds one block's rows while it hands out the
    /// block's devices, so memory stays at one block's rows whatever the size of the answer.
    /// `part` says which counters the caller needs (all, or the billing ones of the head).
    pub fn counter_blocks(
        &self,
        tenant_id: i64,
        blocks: Vec<i64>,
        (unit, part): (Unit, Part),
        from: i64,
        to: i64,
    ) -> BoxStream<'static, Result<BlockRows>> {
        let (table, col) = table_of(unit);
        let data = part.columns();
        let pool = self.pool().clone();
        let backend = self.backend();
        let stream = async_stream::try_stream! {
            for chunk in blocks.chunks(500) {
                let sql = format!(
                    "SELECT block, {col}, {data} FROM {table} \
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
                let mut held: Option<BlockRows> = None;
                while let Some(row) = rows.next().await.transpose()? {
                    let block = row.get::<i64, _>(0);
                    let period = row.get::<i64, _>(1);
                    let view = StoredRow::new(row)?;
                    match &mut held {
                        Some(h) if h.block == block => h.rows.push((period, view)),
                        _ => {
                            if let Some(done) = held.replace(BlockRows {
                                block,
                                rows: vec![(period, view)],
                            }) {
                                yield done;
                            }
                        }
                    }
                }
                if let Some(done) = held {
                    yield done;
                }
            }
        };
        Box::pin(stream)
    }
}

/// The roll-up rows of one block in a range of periods: `(period id, row)` in period order.
#[derive(Debug, Clone)]
pub struct BlockRows {
    pub block: i64,
    pub rows: Vec<(i64, StoredRow)>,
}

/// A roll-up row as read for display, in place: its head, or the whole row where it has no
/// head or only the head was asked for; and its rest when every counter was asked for and
/// it has a head ([`crate::rollups::Block::encode_split`]).
#[derive(Debug, Clone)]
pub struct StoredRow {
    first: BlockView<StoredBlob>,
    rest: Option<BlockView<StoredBlob>>,
}

impl StoredRow {
    /// From a fetched row whose columns 2 and 3 are [`Part::columns`].
    fn new(row: sqlx::any::AnyRow) -> Result<StoredRow> {
        let row = std::sync::Arc::new(row);
        let blob = |column| -> Result<Option<BlockView<StoredBlob>>> {
            match row.try_get::<Option<&[u8]>, _>(column)? {
                None => Ok(None),
                Some(_) => Ok(Some(BlockView::parse(StoredBlob {
                    row: row.clone(),
                    column,
                })?)),
            }
        };
        Ok(match (blob(2)?, blob(3)?) {
            (Some(head), rest) => StoredRow { first: head, rest },
            (None, Some(whole)) => StoredRow {
                first: whole,
                rest: None,
            },
            (None, None) => return Err(crate::StoreError::Codec(CodecError)),
        })
    }

    /// The encoded stats of the device at `slot`: in one piece, or its head and its rest.
    pub fn raw(&self, slot: u8) -> Option<(&[u8], Option<&[u8]>)> {
        let first = self.first.raw(slot)?;
        match &self.rest {
            None => Some((first, None)),
            Some(rest) => Some((first, Some(rest.raw(slot)?))),
        }
    }

    /// The stats of the device at `slot`, joined from its parts.
    pub fn stats(&self, slot: u8) -> Result<Option<PeriodStats>> {
        let Some((first, rest)) = self.raw(slot) else {
            return Ok(None);
        };
        Ok(Some(match rest {
            None => PeriodStats::decode(first)?,
            Some(rest) => PeriodStats::decode_split(first, rest)?,
        }))
    }
}

/// A BLOB column of a fetched row, read in place (a fleet-wide query reads hundreds of
/// megabytes of roll-ups; copying them out of their rows cost as much as decoding them).
#[derive(Clone)]
pub struct StoredBlob {
    row: std::sync::Arc<sqlx::any::AnyRow>,
    column: usize,
}

impl std::fmt::Debug for StoredBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoredBlob({} bytes)", self.as_ref().len())
    }
}

impl AsRef<[u8]> for StoredBlob {
    fn as_ref(&self) -> &[u8] {
        // Checked to be a BLOB when made; the row does not change.
        self.row
            .try_get::<&[u8], _>(self.column)
            .unwrap_or_default()
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
