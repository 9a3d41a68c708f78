//! Reading roll-ups back for the counters query (SPEC §7 `/api/v1/counters`, S13-S17).
//!
//! The query is two statements: the devices of the selection, and their roll-up rows for
//! the range, both in device id order, so that the caller can merge them one device at a time
//! and stream its answer. The roll-up read is one index range per device on the primary key
//! `(device_id, day|month)`: a 12-month table of 10,000 devices reads 120,000 small rows.

use futures_core::stream::BoxStream;
use meterport_domain::counters::DeviceClass;
use meterport_domain::period::Unit;
use sqlx::{AssertSqlSafe, Row};
use tokio_stream::StreamExt;

use crate::readings::table_of;
use crate::{Result, Store};

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

    /// The roll-up rows `(device id, period id, stats)` of the selection for periods
    /// `from..=to` (`yyyymm` or `yyyymmdd`), in device then period order, as a stream.
    pub fn counter_rollups(
        &self,
        tenant_id: i64,
        sel: &Selection,
        unit: Unit,
        from: i64,
        to: i64,
    ) -> BoxStream<'static, Result<(i64, i64, Vec<u8>)>> {
        let (table, col) = table_of(unit);
        let (filter, params) = selection_sql(sel, 4);
        // The join drives from the tenant's devices; each device is one range scan of the
        // roll-up table's primary key.
        let sql = format!(
            "SELECT r.device_id, r.{col}, r.data FROM devices d \
             JOIN {table} r ON r.device_id = d.id AND r.{col} >= $2 AND r.{col} <= $3 \
             WHERE {filter} ORDER BY d.id, r.{col}"
        );
        let pool = self.pool().clone();
        let stream = async_stream::try_stream! {
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id).bind(from).bind(to);
            for p in params {
                q = q.bind(p);
            }
            let mut rows = q.fetch(&pool);
            while let Some(row) = rows.next().await {
                let row = row?;
                yield (row.get::<i64, _>(0), row.get::<i64, _>(1), row.get::<Vec<u8>, _>(2));
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
