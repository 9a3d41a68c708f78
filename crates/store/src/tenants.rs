//! Tenants: the customer companies.

use sqlx::Row;

use crate::change::alone;
use crate::{Change, Result, Store, StoreError, unique_violation};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tenant {
    pub id: i64,
    pub name: String,
    pub timezone: String,
    pub retention_months: Option<i64>,
    /// Paper sizes shown in the paper-size tab (S21), as `a3,a4,...`.
    pub paper_sizes: Vec<String>,
    /// How the tenant's notifications are timed.
    pub notify: NotifySettings,
}

/// How a tenant's notifications are timed (set by the operator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct NotifySettings {
    /// Conditions closed within this many minutes of opening are not mailed, and conditions
    /// opening within it reach a user in one mail.
    pub holddown_minutes: i64,
    /// The hour (0-23, tenant's zone) of the daily digest of low toner and ink.
    pub toner_digest_hour: i64,
    /// A device silent this many hours is "not reporting".
    pub late_after_hours: i64,
}

impl Default for NotifySettings {
    fn default() -> NotifySettings {
        NotifySettings {
            holddown_minutes: 5,
            toner_digest_hour: 9,
            late_after_hours: 48,
        }
    }
}

impl Tenant {
    /// The tenant's zone. Validated when the tenant was created.
    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// The default data retention (SPEC C7).
pub const DEFAULT_RETENTION_MONTHS: i64 = 39;

fn from_row(r: sqlx::any::AnyRow) -> Tenant {
    Tenant {
        id: r.get(0),
        name: r.get(1),
        timezone: r.get(2),
        retention_months: r.get(3),
        paper_sizes: r
            .get::<String, _>(4)
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        notify: NotifySettings {
            holddown_minutes: r.get(5),
            toner_digest_hour: r.get(6),
            late_after_hours: r.get(7),
        },
    }
}

const COLUMNS: &str = "id, name, timezone, retention_months, paper_sizes, \
    notify_holddown_minutes, toner_digest_hour, late_after_hours";

impl Store {
    pub async fn tenant(&self, tenant_id: i64) -> Result<Tenant> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM tenants WHERE id = $1"));
        sqlx::query(sql)
            .bind(tenant_id)
            .fetch_optional(self.pool())
            .await?
            .map(from_row)
            .ok_or(StoreError::NotFound)
    }

    /// Every tenant, for the operator.
    pub async fn list_tenants_all(&self) -> Result<Vec<Tenant>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM tenants ORDER BY id"));
        Ok(sqlx::query(sql)
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .map(from_row)
            .collect())
    }
}

impl Change<'_> {
    /// Creates a tenant. The name and zone are validated by the caller.
    pub async fn create_tenant(
        &mut self,
        name: &str,
        timezone: &str,
        retention_months: Option<i64>,
        now: i64,
    ) -> Result<Tenant> {
        let row = sqlx::query(
            "INSERT INTO tenants (name, timezone, retention_months, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id, name, timezone, retention_months, paper_sizes, \
             notify_holddown_minutes, toner_digest_hour, late_after_hours",
        )
        .bind(name)
        .bind(timezone)
        .bind(retention_months)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, "tenant_name"))?;
        Ok(from_row(row))
    }

    /// Stores how the tenant's notifications are timed.
    pub async fn set_notify_settings(
        &mut self,
        tenant_id: i64,
        notify: NotifySettings,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE tenants SET notify_holddown_minutes = $2, toner_digest_hour = $3, \
             late_after_hours = $4 WHERE id = $1",
        )
        .bind(tenant_id)
        .bind(notify.holddown_minutes)
        .bind(notify.toner_digest_hour)
        .bind(notify.late_after_hours)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Stores the paper sizes shown in the paper-size tab (S21).
    pub async fn set_paper_sizes(&mut self, tenant_id: i64, sizes: &[&str]) -> Result<()> {
        sqlx::query("UPDATE tenants SET paper_sizes = $2 WHERE id = $1")
            .bind(tenant_id)
            .bind(sizes.join(","))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

alone! {
    /// See [`Change::create_tenant`].
    fn create_tenant(name: &str, timezone: &str, retention_months: Option<i64>, now: i64) -> Result<Tenant>;
    /// See [`Change::set_paper_sizes`].
    fn set_paper_sizes(tenant_id: i64, sizes: &[&str]) -> Result<()>;
}
