//! Toner and ink mail (SPEC S23): which supplies are low or empty now, and what the notifier
//! has told of them (`supply_alerts`, one row per supply from the round that saw it low
//! until its level rises again).

use sqlx::Row;

use crate::supplies::{LOW_LEVEL_PERCENT, Supply, SupplyState};
use crate::{Change, Result, Store};

/// A supply's identity across reports: its kind, colour and name.
pub fn supply_key(s: &Supply) -> String {
    format!(
        "{}|{}|{}",
        s.kind.as_str(),
        s.color.as_deref().unwrap_or(""),
        s.name
    )
}

/// A supply that is low or empty now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowSupply {
    pub device_id: i64,
    pub supply: Supply,
}

/// What the notifier keeps of a low or empty supply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyAlert {
    pub device_id: i64,
    pub supply: String,
    pub state: SupplyState,
    pub level_percent: Option<i64>,
    pub opened_at: i64,
    pub due_at: i64,
    pub mailed_at: Option<i64>,
}

impl Store {
    /// The tenants where some user chose to tell the toner/ink administrators.
    pub async fn toner_mail_tenants(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT tenant_id FROM notification_settings \
             WHERE tell_toner_admins <> 0 ORDER BY tenant_id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The tenant's supplies that are low or empty now ([`Supply::is_low`]).
    pub async fn low_supplies(&self, tenant_id: i64) -> Result<Vec<LowSupply>> {
        let sql = format!(
            "SELECT device_id, name, kind, color, level_percent, state FROM supplies \
             WHERE tenant_id = $1 AND (state IN ('low', 'empty') \
             OR (state IS NULL AND level_percent <= {LOW_LEVEL_PERCENT})) \
             ORDER BY device_id, position"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| LowSupply {
                device_id: r.get(0),
                supply: crate::supplies::supply_from_row(r, 1),
            })
            .filter(|l| l.supply.is_low())
            .collect())
    }

    /// The tenant's alerts.
    pub async fn supply_alerts(&self, tenant_id: i64) -> Result<Vec<SupplyAlert>> {
        Ok(sqlx::query(
            "SELECT device_id, supply, state, level_percent, opened_at, due_at, mailed_at \
             FROM supply_alerts WHERE tenant_id = $1 ORDER BY device_id, supply",
        )
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| SupplyAlert {
            device_id: r.get(0),
            supply: r.get(1),
            state: SupplyState::parse(&r.get::<String, _>(2)).unwrap_or(SupplyState::Low),
            level_percent: r.get(3),
            opened_at: r.get(4),
            due_at: r.get(5),
            mailed_at: r.get(6),
        })
        .collect())
    }
}

impl Change<'_> {
    /// Writes an alert as it is now (new, or its state, level or due time changed).
    pub async fn put_supply_alert(&mut self, tenant_id: i64, a: &SupplyAlert) -> Result<()> {
        sqlx::query(
            "INSERT INTO supply_alerts (device_id, supply, tenant_id, state, level_percent, \
             opened_at, due_at, mailed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (device_id, supply) DO UPDATE SET state = excluded.state, \
             level_percent = excluded.level_percent, due_at = excluded.due_at, \
             mailed_at = excluded.mailed_at",
        )
        .bind(a.device_id)
        .bind(&a.supply)
        .bind(tenant_id)
        .bind(a.state.as_str())
        .bind(a.level_percent)
        .bind(a.opened_at)
        .bind(a.due_at)
        .bind(a.mailed_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Forgets an alert: the supply's level rose, or the device no longer reports it.
    pub async fn drop_supply_alert(
        &mut self,
        tenant_id: i64,
        device_id: i64,
        supply: &str,
    ) -> Result<()> {
        sqlx::query(
            "DELETE FROM supply_alerts WHERE tenant_id = $1 AND device_id = $2 AND supply = $3",
        )
        .bind(tenant_id)
        .bind(device_id)
        .bind(supply)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
