//! What a Prometheus scrape of `/metrics` reads from the database: how many devices each
//! tenant has per status and per reporting state, and how the connection pools are used.
//! Both cross tenants on purpose (the operator's view of the whole service), hence the names.

use sqlx::{AssertSqlSafe, Row};

use crate::device_settings::{STATUS_SQL, late_sql};
use crate::{Result, Store};

/// One tenant's devices of one status and one reporting state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCount {
    pub tenant_id: i64,
    /// The status the screens show (`normal`, `unknown`, `warning`, `error`, `service_call`).
    pub status: String,
    /// `reporting`, `late` (not reporting) or `never` (never heard from).
    pub reporting: &'static str,
    pub count: i64,
}

/// Connections of the store's pools (on SQLite the readers' pool and the writer's one
/// connection, added up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub idle: u64,
    pub in_use: u64,
    pub max: u64,
}

impl Store {
    /// Every tenant's devices counted by status and reporting state at `now` (ms), by the
    /// same status and "not reporting" expressions the device list uses. One statement over
    /// the devices table: a scrape every 15 s of 10,000 devices costs a few milliseconds.
    pub async fn device_counts_all_tenants(&self, now: i64) -> Result<Vec<DeviceCount>> {
        let sql = format!(
            "SELECT d.tenant_id, {STATUS_SQL}, \
               CAST(CASE WHEN {heard} IS NULL THEN 0 WHEN {late} THEN 1 ELSE 2 END AS BIGINT), \
               COUNT(*) \
             FROM devices d LEFT JOIN device_reading_times rt ON rt.device_id = d.id \
               JOIN tenants t ON t.id = d.tenant_id \
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            heard = crate::devices::HEARD_SQL,
            late = late_sql("$1"),
        );
        // Built from constant SQL fragments only; `now` is bound.
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(now)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| DeviceCount {
                tenant_id: r.get(0),
                status: r.get(1),
                reporting: match r.get::<i64, _>(2) {
                    0 => "never",
                    1 => "late",
                    _ => "reporting",
                },
                count: r.get(3),
            })
            .collect())
    }

    /// The pools' connections now: open and idle, open and lent out, and the most there
    /// may be.
    pub fn pool_use(&self) -> PoolUse {
        let mut pools = vec![&self.pool];
        if self.backend == crate::Backend::Sqlite {
            pools.push(&self.writer);
        }
        let mut out = PoolUse {
            idle: 0,
            in_use: 0,
            max: 0,
        };
        for p in pools {
            let size = u64::from(p.size());
            let idle = p.num_idle() as u64;
            out.idle += idle;
            out.in_use += size.saturating_sub(idle);
            out.max += u64::from(p.options().get_max_connections());
        }
        out
    }
}
