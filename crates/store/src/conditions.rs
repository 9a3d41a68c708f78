//! Status reports and conditions (SPEC I6, S9).
//!
//! A report carries the full set of a device's active conditions. A condition is identified
//! by its code: one that stays in consecutive reports keeps its `since`; one that disappears
//! is closed at the report's time. The device's status (the most severe open condition) is
//! stored on the device row for the device list.

use meterport_domain::device::Protocol;
use meterport_domain::status::{Condition, Severity, Status};
use sqlx::Row;

use crate::webhooks::{EventCondition, EventKind, record_event};
use crate::{Result, Store, StoreError};

/// An open condition, as the device screens show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCondition {
    pub code: String,
    pub severity: String,
    pub message: String,
    pub since: i64,
}

impl Store {
    /// Applies a status report taken at `at`, which arrived at `heard_at`, to a device of the
    /// tenant. Returns `false` when the report is older than (or as old as) the last one
    /// applied: it is ignored, and says nothing of the device now.
    pub async fn apply_status(
        &self,
        tenant_id: i64,
        device_id: i64,
        at: i64,
        conditions: &[Condition],
        heard_at: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let lock = match self.backend() {
            crate::Backend::Postgres => " FOR UPDATE",
            crate::Backend::Sqlite => "",
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT protocol, status_at FROM devices WHERE tenant_id = $1 AND id = $2{lock}"
        ));
        let row = sqlx::query(sql)
            .bind(tenant_id)
            .bind(device_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let protocol = Protocol::parse(&row.get::<String, _>(0)).unwrap_or(Protocol::Http);
        if row.get::<Option<i64>, _>(1).is_some_and(|last| at <= last) {
            return Ok(false);
        }
        let open: Vec<(i64, String, String, String)> = sqlx::query(
            "SELECT id, code, severity, message FROM conditions \
             WHERE device_id = $1 AND closed_at IS NULL",
        )
        .bind(device_id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
        for (id, code, severity, message) in &open {
            match conditions.iter().find(|c| &c.code == code) {
                None => {
                    sqlx::query("UPDATE conditions SET closed_at = $2 WHERE id = $1")
                        .bind(*id)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    let closed = EventCondition {
                        code: code.clone(),
                        severity: severity.clone(),
                        message: message.clone(),
                    };
                    let kind = EventKind::ConditionClosed;
                    record_event(
                        self,
                        &mut tx,
                        tenant_id,
                        device_id,
                        kind,
                        Some(&closed),
                        at,
                        at,
                    )
                    .await?;
                }
                Some(c) => {
                    sqlx::query("UPDATE conditions SET severity = $2, message = $3 WHERE id = $1")
                        .bind(*id)
                        .bind(c.severity.as_str())
                        .bind(&c.message)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        for c in conditions {
            if !open.iter().any(|(_, code, _, _)| code == &c.code) {
                sqlx::query(
                    "INSERT INTO conditions (device_id, code, severity, message, since) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(device_id)
                .bind(&c.code)
                .bind(c.severity.as_str())
                .bind(&c.message)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                let opened = EventCondition {
                    code: c.code.clone(),
                    severity: c.severity.as_str().to_string(),
                    message: c.message.clone(),
                };
                let kind = EventKind::ConditionOpened;
                record_event(
                    self,
                    &mut tx,
                    tenant_id,
                    device_id,
                    kind,
                    Some(&opened),
                    at,
                    at,
                )
                .await?;
            }
        }
        let status = Status::derive(protocol, true, conditions.iter().map(|c| c.severity));
        // The row is rewritten for its status anyway: when the device was heard from goes in
        // the same statement (migration 0016).
        sqlx::query(
            "UPDATE devices SET status = $2, status_at = $3, status_heard_at = $4 WHERE id = $1",
        )
        .bind(device_id)
        .bind(status.as_str())
        .bind(at)
        .bind(heard_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The open conditions of a device of the tenant, most severe first.
    pub async fn open_conditions(
        &self,
        tenant_id: i64,
        device_id: i64,
    ) -> Result<Vec<OpenCondition>> {
        let mut out: Vec<OpenCondition> = sqlx::query(
            "SELECT c.code, c.severity, c.message, c.since FROM conditions c \
             JOIN devices d ON d.id = c.device_id \
             WHERE d.tenant_id = $1 AND c.device_id = $2 AND c.closed_at IS NULL \
             ORDER BY c.since, c.code",
        )
        .bind(tenant_id)
        .bind(device_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| OpenCondition {
            code: r.get(0),
            severity: r.get(1),
            message: r.get(2),
            since: r.get(3),
        })
        .collect();
        out.sort_by_key(|c| std::cmp::Reverse(Severity::parse(&c.severity)));
        Ok(out)
    }
}
