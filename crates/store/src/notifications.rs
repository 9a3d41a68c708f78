//! Each user's e-mail notification choices (SPEC S23): for service calls, errors, warnings and
//! devices that stop reporting, whether to be told, about all devices or about the devices of
//! chosen groups; and whether the toner/ink administrators of devices are told when toner or
//! ink runs low.
//!
//! A user who never saved the screen has every notification off: nobody gets mail they did not
//! ask for. A chosen group that is deleted leaves the choice (its row goes with the group,
//! `ON DELETE CASCADE`), so the screen can say that no group is left.

use std::collections::BTreeSet;

use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, StoreError, list_placeholders};

/// The events a user can be told about: the severities, from the most severe, then a device
/// that stops reporting (`meterport_domain::reporting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Event {
    ServiceCall,
    Error,
    Warning,
    /// A device that reported before stops reporting.
    Late,
}

impl Event {
    pub const ALL: [Event; 4] = [
        Event::ServiceCall,
        Event::Error,
        Event::Warning,
        Event::Late,
    ];

    /// The name in the database and in forms; for a severity, the same as the severity's.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::ServiceCall => "service_call",
            Event::Error => "error",
            Event::Warning => "warning",
            Event::Late => "late",
        }
    }

    /// The `notification_settings` column of the event's choice.
    fn column(self) -> &'static str {
        match self {
            Event::ServiceCall => "on_service_call",
            Event::Error => "on_error",
            Event::Warning => "on_warning",
            Event::Late => "on_late",
        }
    }

    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// About which devices a user is told of an event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Off,
    AllDevices,
    /// The devices of these groups (ids of the tenant's groups, sorted).
    Groups(Vec<i64>),
}

impl Scope {
    fn word(&self) -> &'static str {
        match self {
            Scope::Off => "off",
            Scope::AllDevices => "all",
            Scope::Groups(_) => "groups",
        }
    }
}

/// A user's choices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationSettings {
    pub service_call: Scope,
    pub error: Scope,
    pub warning: Scope,
    /// Devices that stop reporting.
    pub late: Scope,
    /// Tell each device's toner/ink administrator when its toner or ink runs low.
    pub tell_toner_admins: bool,
}

impl NotificationSettings {
    pub fn scope(&self, event: Event) -> &Scope {
        match event {
            Event::ServiceCall => &self.service_call,
            Event::Error => &self.error,
            Event::Warning => &self.warning,
            Event::Late => &self.late,
        }
    }

    pub fn scope_mut(&mut self, event: Event) -> &mut Scope {
        match event {
            Event::ServiceCall => &mut self.service_call,
            Event::Error => &mut self.error,
            Event::Warning => &mut self.warning,
            Event::Late => &mut self.late,
        }
    }
}

/// Saving was refused: group ids that are not groups of the tenant (another tenant's are
/// answered like ones that do not exist, T1), by event.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("unknown groups")]
    UnknownGroups(Vec<(Event, Vec<i64>)>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for NotificationError {
    fn from(e: sqlx::Error) -> Self {
        NotificationError::Store(StoreError::Db(e))
    }
}

/// The columns [`settings_of`] reads, in its order: one per event, then tell_toner_admins.
fn settings_columns() -> String {
    let mut columns: Vec<&str> = Event::ALL.iter().map(|e| e.column()).collect();
    columns.push("tell_toner_admins");
    columns.join(", ")
}

/// A user's choices from their `notification_settings` row ([`settings_columns`]) and their
/// `(event, group_id)` rows.
fn settings_of(row: &sqlx::any::AnyRow, groups: &[(String, i64)]) -> NotificationSettings {
    let mut settings = NotificationSettings {
        tell_toner_admins: row.get::<i64, _>(Event::ALL.len()) != 0,
        ..NotificationSettings::default()
    };
    for (i, event) in Event::ALL.into_iter().enumerate() {
        let word: String = row.get(i);
        *settings.scope_mut(event) = match word.as_str() {
            "all" => Scope::AllDevices,
            "groups" => Scope::Groups(
                groups
                    .iter()
                    .filter(|(e, _)| e == event.as_str())
                    .map(|(_, g)| *g)
                    .collect(),
            ),
            _ => Scope::Off,
        };
    }
    settings
}

impl Store {
    /// A user's choices; all off when the user never saved them.
    pub async fn notification_settings(
        &self,
        tenant_id: i64,
        user_id: i64,
    ) -> Result<NotificationSettings> {
        let sql = format!(
            "SELECT {} FROM notification_settings WHERE tenant_id = $1 AND user_id = $2",
            settings_columns()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(NotificationSettings::default());
        };
        let groups: Vec<(String, i64)> = sqlx::query(
            "SELECT event, group_id FROM notification_groups \
             WHERE tenant_id = $1 AND user_id = $2 ORDER BY event, group_id",
        )
        .bind(tenant_id)
        .bind(user_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        Ok(settings_of(&row, &groups))
    }

    /// The choices of every user of the tenant who saved any, by user id: whom the
    /// notifier may tell.
    pub async fn notification_audience(
        &self,
        tenant_id: i64,
    ) -> Result<std::collections::BTreeMap<i64, NotificationSettings>> {
        let sql = format!(
            "SELECT {}, user_id FROM notification_settings WHERE tenant_id = $1",
            settings_columns()
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(tenant_id)
            .fetch_all(self.pool())
            .await?;
        let groups: Vec<(i64, String, i64)> = sqlx::query(
            "SELECT user_id, event, group_id FROM notification_groups \
             WHERE tenant_id = $1 ORDER BY user_id, event, group_id",
        )
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        Ok(rows
            .iter()
            .map(|row| {
                let user: i64 = row.get(Event::ALL.len() + 1);
                let mine: Vec<(String, i64)> = groups
                    .iter()
                    .filter(|(u, _, _)| *u == user)
                    .map(|(_, e, g)| (e.clone(), *g))
                    .collect();
                (user, settings_of(row, &mine))
            })
            .collect())
    }

    /// Stores a user's choices, replacing the former ones. Every group named must be one of
    /// the tenant's; otherwise nothing changes. The tenant's group lock is taken first, as
    /// group changes do, so a group deleted at the same moment is either refused here or
    /// gone with its rows.
    pub async fn set_notification_settings(
        &self,
        tenant_id: i64,
        user_id: i64,
        settings: &NotificationSettings,
        now: i64,
    ) -> Result<(), NotificationError> {
        let mut tx = self.begin_write().await?;
        let lock = match self.backend() {
            Backend::Sqlite => "SELECT id FROM tenants WHERE id = $1",
            Backend::Postgres => "SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE",
        };
        sqlx::query(lock)
            .bind(tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
        let user = sqlx::query("SELECT id FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if user.is_none() {
            return Err(StoreError::NotFound.into());
        }
        let wanted: BTreeSet<i64> = Event::ALL
            .iter()
            .filter_map(|e| match settings.scope(*e) {
                Scope::Groups(ids) => Some(ids.iter().copied()),
                _ => None,
            })
            .flatten()
            .collect();
        let mut known = BTreeSet::new();
        let wanted_list: Vec<i64> = wanted.iter().copied().collect();
        for chunk in wanted_list.chunks(500) {
            let sql = format!(
                "SELECT id FROM device_groups WHERE tenant_id = $1 AND id IN ({})",
                list_placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&mut *tx).await? {
                known.insert(r.get::<i64, _>(0));
            }
        }
        let unknown: Vec<(Event, Vec<i64>)> = Event::ALL
            .iter()
            .filter_map(|e| match settings.scope(*e) {
                Scope::Groups(ids) => {
                    let bad: Vec<i64> =
                        ids.iter().copied().filter(|g| !known.contains(g)).collect();
                    (!bad.is_empty()).then_some((*e, bad))
                }
                _ => None,
            })
            .collect();
        if !unknown.is_empty() {
            return Err(NotificationError::UnknownGroups(unknown));
        }
        sqlx::query(
            "INSERT INTO notification_settings (user_id, tenant_id, on_service_call, on_error, \
             on_warning, tell_toner_admins, updated_at, on_late) \
             VALUES ($2, $1, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (user_id) DO UPDATE SET on_service_call = excluded.on_service_call, \
             on_error = excluded.on_error, on_warning = excluded.on_warning, \
             tell_toner_admins = excluded.tell_toner_admins, updated_at = excluded.updated_at, \
             on_late = excluded.on_late",
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(settings.service_call.word())
        .bind(settings.error.word())
        .bind(settings.warning.word())
        .bind(i64::from(settings.tell_toner_admins))
        .bind(now)
        .bind(settings.late.word())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM notification_groups WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for event in Event::ALL {
            if let Scope::Groups(ids) = settings.scope(event) {
                let ids: BTreeSet<i64> = ids.iter().copied().collect();
                for g in ids {
                    sqlx::query(
                        "INSERT INTO notification_groups (user_id, tenant_id, event, group_id) \
                         VALUES ($2, $1, $3, $4)",
                    )
                    .bind(tenant_id)
                    .bind(user_id)
                    .bind(event.as_str())
                    .bind(g)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_named_like_severities_and_default_to_off() {
        for e in Event::ALL {
            assert_eq!(Event::parse(e.as_str()), Some(e));
        }
        assert_eq!(Scope::Groups(vec![1]).word(), "groups");
        assert_eq!(
            NotificationSettings::default().scope(Event::Error),
            &Scope::Off
        );
    }
}
