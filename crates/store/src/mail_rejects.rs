//! Meter mails (SPEC I2): the mails the SMTP listener refused, kept for the operator, and the
//! arrival time of each device's last accepted mail.

use sqlx::Row;

use crate::change::alone;
use crate::{Change, Result, Store};

/// Rows kept per tenant; the oldest go first.
pub const MAX_PER_TENANT: i64 = 200;
/// Bytes of a refused message kept; the rest is cut (the row says so).
pub const MAX_KEPT_BYTES: usize = 256 * 1024;

/// A refused mail, without its message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MailReject {
    pub id: i64,
    pub tenant_id: i64,
    pub received_at: i64,
    pub sender: String,
    /// The client's address.
    pub client: String,
    /// The reply's text as the client read it.
    pub reason: String,
    /// The message's size as received.
    pub message_bytes: i64,
    /// Only the first [`MAX_KEPT_BYTES`] were kept.
    pub truncated: bool,
}

/// A refused mail to keep.
#[derive(Debug, Clone, Copy)]
pub struct NewMailReject<'a> {
    pub tenant_id: i64,
    pub received_at: i64,
    pub sender: &'a str,
    pub client: &'a str,
    pub reason: &'a str,
    pub message: &'a [u8],
}

const COLUMNS: &str = "id, tenant_id, received_at, sender, client, reason, message_bytes, \
     CAST(truncated AS BIGINT) AS truncated";

fn from_row(r: &sqlx::any::AnyRow) -> MailReject {
    MailReject {
        id: r.get("id"),
        tenant_id: r.get("tenant_id"),
        received_at: r.get("received_at"),
        sender: r.get("sender"),
        client: r.get("client"),
        reason: r.get("reason"),
        message_bytes: r.get("message_bytes"),
        truncated: r.get::<i64, _>("truncated") != 0,
    }
}

impl Store {
    /// The latest refused mails, newest first: of one tenant, or of all.
    pub async fn list_mail_rejects(
        &self,
        tenant_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<MailReject>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mail_rejects WHERE (CAST($1 AS BIGINT) IS NULL OR tenant_id = $1) \
             ORDER BY received_at DESC, id DESC LIMIT $2"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(from_row)
            .collect())
    }

    /// One refused mail and the message as kept.
    pub async fn mail_reject(&self, id: i64) -> Result<Option<(MailReject, Vec<u8>)>> {
        let sql = format!("SELECT {COLUMNS}, message FROM mail_rejects WHERE id = $1");
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| (from_row(&r), r.get("message"))))
    }
}

impl Change<'_> {
    /// Keeps a refused mail (cut at [`MAX_KEPT_BYTES`]) and drops the tenant's oldest beyond
    /// [`MAX_PER_TENANT`]; its id.
    pub async fn record_mail_reject(&mut self, reject: NewMailReject<'_>) -> Result<i64> {
        let kept = &reject.message[..reject.message.len().min(MAX_KEPT_BYTES)];
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mail_rejects (tenant_id, received_at, sender, client, reason, \
             message_bytes, truncated, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING id",
        )
        .bind(reject.tenant_id)
        .bind(reject.received_at)
        .bind(reject.sender)
        .bind(reject.client)
        .bind(reject.reason)
        .bind(reject.message.len() as i64)
        .bind(i64::from(kept.len() < reject.message.len()))
        .bind(kept.to_vec())
        .fetch_one(&mut *self.tx)
        .await?;
        sqlx::query(
            "DELETE FROM mail_rejects WHERE tenant_id = $1 AND id NOT IN \
             (SELECT id FROM mail_rejects WHERE tenant_id = $1 \
              ORDER BY received_at DESC, id DESC LIMIT $2)",
        )
        .bind(reject.tenant_id)
        .bind(MAX_PER_TENANT)
        .execute(&mut *self.tx)
        .await?;
        Ok(id)
    }

    /// Notes that a mail stored readings of these devices of the tenant at `at`.
    pub async fn touch_device_mail_times(
        &mut self,
        tenant_id: i64,
        device_ids: &[i64],
        at: i64,
    ) -> Result<()> {
        for chunk in device_ids.chunks(500) {
            let backend = self.store.backend;
            let list = crate::bulk_list(backend, 3, chunk.len());
            let sql = format!(
                "INSERT INTO device_mail_times (device_id, last_mail_at) \
                 SELECT id, CAST({at} AS BIGINT) FROM devices WHERE tenant_id = {tenant} AND id IN ({list}) \
                 ON CONFLICT (device_id) DO UPDATE SET last_mail_at = excluded.last_mail_at \
                 WHERE device_mail_times.last_mail_at < excluded.last_mail_at",
                at = crate::param(backend, 1),
                tenant = crate::param(backend, 2),
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(at)
                .bind(tenant_id);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

alone! {
    fn record_mail_reject(reject: NewMailReject<'_>) -> Result<i64>;
    fn touch_device_mail_times(tenant_id: i64, device_ids: &[i64], at: i64) -> Result<()>;
}
