//! Devices that stop reporting, for the notifier ("Fleet health by e-mail"): the stops it has
//! not decided yet, and its decision, written with the mails it queues (`late_notices`,
//! migration 0016).
//!
//! A stop is identified by the device's last report before it: a device that reports again
//! and later stops again has a new last report, so the new stop is news; one whose threshold
//! moves while it is silent is the same stop, decided once.

use sqlx::{AssertSqlSafe, Row};

use crate::device_settings::late_sql;
use crate::devices::HEARD_SQL;
use crate::{Change, Result, Store, bulk_values};

/// A device not reporting whose stop is not decided yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateDevice {
    pub tenant_id: i64,
    pub device_id: i64,
    /// Its last report: when the portal last heard from it.
    pub last_report_at: i64,
}

/// What became of a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateNotice {
    /// Some user was told.
    Sent,
    /// Nobody chose to be told of this device.
    None,
}

impl LateNotice {
    fn as_str(self) -> &'static str {
        match self {
            LateNotice::Sent => "sent",
            LateNotice::None => "none",
        }
    }
}

impl Store {
    /// The devices of every tenant that are not reporting at `now` and whose stop is not
    /// decided yet, by tenant and id; at most `limit`. One pass over the devices, beside
    /// ingest (a read), once a notifier round.
    pub async fn undecided_late_devices_any_tenant(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<LateDevice>> {
        let sql = format!(
            "SELECT d.tenant_id, d.id, {HEARD_SQL} FROM devices d \
             LEFT JOIN device_reading_times rt ON rt.device_id = d.id \
             JOIN tenants t ON t.id = d.tenant_id \
             LEFT JOIN late_notices n ON n.device_id = d.id \
             WHERE {} AND (n.device_id IS NULL OR n.heard_at <> {HEARD_SQL}) \
             ORDER BY d.tenant_id, d.id LIMIT $2",
            late_sql("$1")
        );
        Ok(sqlx::query(AssertSqlSafe(sql))
            .bind(now)
            .bind(limit)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| LateDevice {
                tenant_id: r.get(0),
                device_id: r.get(1),
                last_report_at: r.get(2),
            })
            .collect())
    }
}

/// A device heard from again after a stop the notifier decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resumed {
    pub tenant_id: i64,
    pub device_id: i64,
    /// When it was heard from again.
    pub heard_at: i64,
}

impl Store {
    /// The devices of every tenant heard from again after a decided stop whose end is not
    /// recorded yet; at most `limit`.
    pub async fn resumed_devices_any_tenant(&self, limit: i64) -> Result<Vec<Resumed>> {
        let sql = format!(
            "SELECT d.tenant_id, d.id, {HEARD_SQL} FROM late_notices n \
             JOIN devices d ON d.id = n.device_id AND d.tenant_id = n.tenant_id \
             LEFT JOIN device_reading_times rt ON rt.device_id = d.id \
             WHERE n.resumed_at IS NULL AND {HEARD_SQL} > n.heard_at \
             ORDER BY d.tenant_id, d.id LIMIT $1"
        );
        Ok(sqlx::query(AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| Resumed {
                tenant_id: r.get(0),
                device_id: r.get(1),
                heard_at: r.get(2),
            })
            .collect())
    }
}

impl Change<'_> {
    /// Records that the device of a stop was heard from again.
    pub async fn record_resumed(&mut self, r: &Resumed) -> Result<()> {
        sqlx::query(
            "UPDATE late_notices SET resumed_at = $3 WHERE tenant_id = $1 AND device_id = $2",
        )
        .bind(r.tenant_id)
        .bind(r.device_id)
        .bind(r.heard_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records the decision on these stops of the tenant's devices (each once: a device's
    /// former stop is replaced), decided at `now`.
    pub async fn decide_late(
        &mut self,
        tenant_id: i64,
        stops: &[LateDevice],
        notice: LateNotice,
        now: i64,
    ) -> Result<()> {
        let backend = self.backend();
        for chunk in stops.chunks(500) {
            let sql = format!(
                "INSERT INTO late_notices (device_id, tenant_id, heard_at, decided_at, notice) \
                 VALUES {} ON CONFLICT (device_id) DO UPDATE SET heard_at = excluded.heard_at, \
                 decided_at = excluded.decided_at, notice = excluded.notice, resumed_at = NULL",
                bulk_values(backend, 1, chunk.len(), 5)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for s in chunk {
                debug_assert_eq!(s.tenant_id, tenant_id);
                q = q
                    .bind(s.device_id)
                    .bind(tenant_id)
                    .bind(s.last_report_at)
                    .bind(now)
                    .bind(notice.as_str());
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}
