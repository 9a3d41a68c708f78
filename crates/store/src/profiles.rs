//! A user's own settings (SPEC S25): names, display language, region and time zone.

use crate::change::alone;
use crate::{Change, Result, StoreError};

impl Change<'_> {
    #[allow(clippy::too_many_arguments)]
    pub async fn update_profile(
        &mut self,
        tenant_id: i64,
        user_id: i64,
        first_name: &str,
        last_name: &str,
        language: &str,
        locale: &str,
        timezone: Option<&str>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET first_name = $3, last_name = $4, language = $5, locale = $6, \
             timezone = $7 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(first_name)
        .bind(last_name)
        .bind(language)
        .bind(locale)
        .bind(timezone)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

impl Change<'_> {
    /// Sets the display language alone: the header's language switch and a language chosen
    /// on the login screen change nothing else of the profile.
    pub async fn set_language(
        &mut self,
        tenant_id: i64,
        user_id: i64,
        language: &str,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE users SET language = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(user_id)
            .bind(language)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

alone! {
    /// See [`Change::update_profile`].
    fn update_profile(tenant_id: i64, user_id: i64, first_name: &str, last_name: &str, language: &str, locale: &str, timezone: Option<&str>) -> Result<()>;
}
