//! What the notifier decides about each condition (SPEC S23): the conditions waiting for a
//! decision, the devices they belong to, and the decision, written with the mails it queues.

use sqlx::Row;

use crate::{Change, Result, Store};

/// A condition whose notice is not decided yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingNotice {
    pub condition_id: i64,
    pub tenant_id: i64,
    pub device_id: i64,
    pub code: String,
    pub severity: String,
    pub message: String,
    pub since: i64,
    pub closed_at: Option<i64>,
}

/// A decided notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Users were told.
    Sent,
    /// It closed within the hold-down: nobody is told.
    Dropped,
}

impl Notice {
    fn as_str(self) -> &'static str {
        match self {
            Notice::Sent => "sent",
            Notice::Dropped => "dropped",
        }
    }
}

impl Store {
    /// The conditions waiting for a decision, oldest first per tenant; at most `limit`.
    pub async fn pending_notices(&self, limit: i64) -> Result<Vec<PendingNotice>> {
        Ok(sqlx::query(
            "SELECT c.id, d.tenant_id, c.device_id, c.code, c.severity, c.message, c.since, \
             c.closed_at FROM conditions c JOIN devices d ON d.id = c.device_id \
             WHERE c.notice IS NULL ORDER BY d.tenant_id, c.since, c.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| PendingNotice {
            condition_id: r.get(0),
            tenant_id: r.get(1),
            device_id: r.get(2),
            code: r.get(3),
            severity: r.get(4),
            message: r.get(5),
            since: r.get(6),
            closed_at: r.get(7),
        })
        .collect())
    }
}

impl Change<'_> {
    /// Records the decision about these conditions of the tenant.
    pub async fn decide_notices(
        &mut self,
        tenant_id: i64,
        condition_ids: &[i64],
        notice: Notice,
    ) -> Result<()> {
        let backend = self.store.backend;
        for chunk in condition_ids.chunks(500) {
            let sql = format!(
                "UPDATE conditions SET notice = {} WHERE notice IS NULL AND id IN ({}) \
                 AND device_id IN (SELECT id FROM devices WHERE tenant_id = {})",
                crate::param(backend, 1),
                crate::bulk_list(backend, 2, chunk.len()),
                crate::param(backend, chunk.len() + 2),
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(notice.as_str());
            for id in chunk {
                q = q.bind(*id);
            }
            q.bind(tenant_id).execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}
