//! Device groups (SPEC S22).

use crate::{Result, Store};

impl Store {
    /// The group exists in this tenant.
    pub async fn group_exists(&self, tenant_id: i64, group_id: i64) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM device_groups WHERE tenant_id = $1 AND id = $2")
                .bind(tenant_id)
                .bind(group_id)
                .fetch_optional(self.pool())
                .await?
                .is_some(),
        )
    }
}
