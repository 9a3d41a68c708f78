//! Webhooks (SPEC B4): the URLs an operator registered per tenant, the device events they
//! receive (recorded with the change that caused them, only while the tenant has an active
//! webhook), and the deliveries, retried with backoff like the mail outbox.

use sqlx::{AnyConnection, Row};

use crate::change::alone;
use crate::{Backend, Change, Result, Store, StoreError};

/// Attempts of a delivery before it is given up.
pub const MAX_ATTEMPTS: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Webhook {
    pub id: i64,
    pub tenant_id: i64,
    pub url: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// What happened to a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    ConditionOpened,
    ConditionClosed,
    StoppedReporting,
    ResumedReporting,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::ConditionOpened,
        EventKind::ConditionClosed,
        EventKind::StoppedReporting,
        EventKind::ResumedReporting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ConditionOpened => "condition_opened",
            EventKind::ConditionClosed => "condition_closed",
            EventKind::StoppedReporting => "stopped_reporting",
            EventKind::ResumedReporting => "resumed_reporting",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A condition an event carries: code, severity, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCondition {
    pub code: String,
    pub severity: String,
    pub message: String,
}

/// A delivery claimed for one attempt, with what the body is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    /// Attempts so far, this one included.
    pub attempts: i64,
    pub url: String,
    pub secret: String,
    pub event_id: i64,
    pub kind: EventKind,
    pub tenant_id: i64,
    pub device_id: i64,
    pub serial: String,
    pub device_name: String,
    pub condition: Option<EventCondition>,
    pub at: i64,
}

/// Whether any tenant has an active webhook, read at most every [`HOOKS_SEEN_FOR`]: a
/// status report of a portal without webhooks (the usual case) then costs no lookup. A
/// webhook registered by this process is seen at once; one registered by another instance
/// within that time.
#[derive(Debug, Default)]
pub(crate) struct HooksSeen(std::sync::Mutex<Option<(std::time::Instant, bool)>>);

/// How long [`HooksSeen`] trusts what it read.
const HOOKS_SEEN_FOR: std::time::Duration = std::time::Duration::from_secs(2);

impl HooksSeen {
    async fn any(&self, conn: &mut AnyConnection) -> Result<bool> {
        if let Some((at, any)) = *self.0.lock().expect("hooks seen")
            && at.elapsed() < HOOKS_SEEN_FOR
        {
            return Ok(any);
        }
        let any: bool = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM (SELECT 1 FROM webhooks WHERE revoked_at IS NULL LIMIT 1) h",
        )
        .fetch_one(&mut *conn)
        .await?
            > 0;
        *self.0.lock().expect("hooks seen") = Some((std::time::Instant::now(), any));
        Ok(any)
    }

    fn forget(&self) {
        *self.0.lock().expect("hooks seen") = None;
    }
}

/// Records an event of a device of the tenant in `conn`'s transaction, and a delivery of it
/// to each of the tenant's active webhooks; nothing when the tenant has none.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_event(
    store: &Store,
    conn: &mut AnyConnection,
    tenant_id: i64,
    device_id: i64,
    kind: EventKind,
    condition: Option<&EventCondition>,
    at: i64,
    now: i64,
) -> Result<()> {
    if !store.hooks.any(conn).await? {
        return Ok(());
    }
    let hooks: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM webhooks WHERE tenant_id = $1 AND revoked_at IS NULL")
            .bind(tenant_id)
            .fetch_all(&mut *conn)
            .await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let event: i64 = sqlx::query_scalar(
        "INSERT INTO device_events (tenant_id, device_id, kind, code, severity, message, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(tenant_id)
    .bind(device_id)
    .bind(kind.as_str())
    .bind(condition.map(|c| c.code.as_str()))
    .bind(condition.map(|c| c.severity.as_str()))
    .bind(condition.map(|c| c.message.as_str()))
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    for hook in hooks {
        sqlx::query(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at) \
             VALUES ($1, $2, $3)",
        )
        .bind(hook)
        .bind(event)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The tenant's webhooks, the active and the revoked.
    pub async fn list_webhooks(&self, tenant_id: i64) -> Result<Vec<Webhook>> {
        Ok(sqlx::query(
            "SELECT id, tenant_id, url, created_at, revoked_at FROM webhooks \
             WHERE tenant_id = $1 ORDER BY id",
        )
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| Webhook {
            id: r.get(0),
            tenant_id: r.get(1),
            url: r.get(2),
            created_at: r.get(3),
            revoked_at: r.get(4),
        })
        .collect())
    }

    /// Claims up to `limit` due deliveries for one attempt each: counts the attempt and
    /// moves them `lease_ms` ahead, so that no other instance takes them meanwhile.
    pub async fn claim_webhook_deliveries(
        &self,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>> {
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET next_attempt_at = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM webhook_deliveries WHERE delivered_at IS NULL \
                          AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3{lock}) \
             RETURNING id"
        );
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(now.saturating_add(lease_ms))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let r = sqlx::query(
                "SELECT x.id, x.attempts, w.url, w.secret, e.id, e.kind, e.tenant_id, \
                 e.device_id, d.serial, d.name, e.code, e.severity, e.message, e.at \
                 FROM webhook_deliveries x JOIN webhooks w ON w.id = x.webhook_id \
                 JOIN device_events e ON e.id = x.event_id \
                 JOIN devices d ON d.id = e.device_id AND d.tenant_id = e.tenant_id \
                 WHERE x.id = $1 AND w.tenant_id = e.tenant_id",
            )
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
            let Some(r) = r else { continue };
            let kind: String = r.get(5);
            let code: Option<String> = r.get(10);
            out.push(DueDelivery {
                id: r.get(0),
                attempts: r.get(1),
                url: r.get(2),
                secret: r.get(3),
                event_id: r.get(4),
                kind: EventKind::parse(&kind)
                    .ok_or_else(|| StoreError::Failed(format!("device_events.kind {kind:?}")))?,
                tenant_id: r.get(6),
                device_id: r.get(7),
                serial: r.get(8),
                device_name: r.get(9),
                condition: code.map(|code| EventCondition {
                    code,
                    severity: r.get::<Option<String>, _>(11).unwrap_or_default(),
                    message: r.get::<Option<String>, _>(12).unwrap_or_default(),
                }),
                at: r.get(13),
            });
        }
        Ok(out)
    }

    /// A delivery the receiver took.
    pub async fn mark_webhook_delivered(&self, id: i64, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET delivered_at = $2, last_error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A failed attempt: the next one at `next_at`, or never (`None`: given up).
    pub async fn mark_webhook_failed(
        &self,
        id: i64,
        next_at: Option<i64>,
        error: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_at = $2, last_error = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(next_at.unwrap_or(i64::MAX))
        .bind(error)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

impl Change<'_> {
    /// Registers a webhook of the tenant with its signing secret.
    pub async fn create_webhook(
        &mut self,
        tenant_id: i64,
        url: &str,
        secret: &str,
        now: i64,
    ) -> Result<Webhook> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO webhooks (tenant_id, url, secret, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(tenant_id)
        .bind(url)
        .bind(secret)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        self.store.hooks.forget();
        Ok(Webhook {
            id,
            tenant_id,
            url: url.to_string(),
            created_at: now,
            revoked_at: None,
        })
    }

    /// Revokes a webhook of the tenant: it receives nothing more.
    pub async fn revoke_webhook(&mut self, tenant_id: i64, id: i64, now: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE webhooks SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 \
             AND revoked_at IS NULL",
        )
        .bind(tenant_id)
        .bind(id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a device event in this change (see [`record_event`]).
    pub async fn record_device_event(
        &mut self,
        tenant_id: i64,
        device_id: i64,
        kind: EventKind,
        at: i64,
        now: i64,
    ) -> Result<()> {
        let store = self.store;
        record_event(
            store,
            &mut self.tx,
            tenant_id,
            device_id,
            kind,
            None,
            at,
            now,
        )
        .await
    }
}

alone! {
    fn create_webhook(tenant_id: i64, url: &str, secret: &str, now: i64) -> Result<Webhook>;
}
