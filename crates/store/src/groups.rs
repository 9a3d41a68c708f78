//! Device groups (SPEC S22).
//!
//! The rules that need data live here: at most
//! [`MAX_GROUPS_PER_TENANT`](meterport_domain::policy::MAX_GROUPS_PER_TENANT) groups per tenant,
//! a name unique within the tenant, members that are devices of the tenant, and a device in at
//! most one group. The name's own rules (width, characters) are the domain's
//! (`policy::check_group_name`) and are checked by the caller first.
//!
//! Every change runs in one write transaction that first takes the tenant's group lock (see
//! [`lock_tenant_groups`]), so two operators cannot both create the 200th group or both claim
//! the same device.

use std::collections::{BTreeSet, HashMap};

use meterport_domain::policy::MAX_GROUPS_PER_TENANT;
use sqlx::{AssertSqlSafe, Row};

use crate::change::alone;
use crate::{Any, Backend, Change, Result, Store, StoreError, Transaction, list_placeholders};

/// A group as listed (S22).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub device_count: i64,
}

/// A device that is already a member of another group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInOtherGroup {
    pub device_id: i64,
    pub serial: String,
    pub group_id: i64,
    pub group_name: String,
}

/// A rule of S22 that a change breaks; a change is checked against all of them at once, so
/// that one answer names every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupProblem {
    /// Another group of the tenant has this name.
    NameTaken,
    /// Ids that are no device of this tenant. A device of another tenant is reported here
    /// exactly like an id that does not exist (T1).
    UnknownDevices(Vec<i64>),
    /// Devices that are members of another group; a device is in at most one group.
    DevicesInOtherGroups(Vec<DeviceInOtherGroup>),
}

#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// The group is not one of this tenant's.
    #[error("no such group")]
    NotFound,
    #[error("a tenant may have at most {MAX_GROUPS_PER_TENANT} device groups")]
    TooMany,
    #[error("the change breaks {} rule(s) of device groups", .0.len())]
    Refused(Vec<GroupProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for GroupError {
    fn from(e: sqlx::Error) -> GroupError {
        GroupError::Store(StoreError::Db(e))
    }
}

/// Serialises the group changes of one tenant. On PostgreSQL this takes a row lock on the
/// tenant (`FOR NO KEY UPDATE`, which does not block inserts that merely reference the
/// tenant); on SQLite the write transaction (`BEGIN IMMEDIATE`) already excludes every other
/// writer. Returns whether the tenant exists.
async fn lock_tenant_groups(
    backend: Backend,
    tx: &mut Transaction<'static, Any>,
    tenant_id: i64,
) -> Result<bool> {
    let sql = match backend {
        Backend::Sqlite => "SELECT id FROM tenants WHERE id = $1",
        Backend::Postgres => "SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE",
    };
    Ok(sqlx::query(sql)
        .bind(tenant_id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

/// The id of the tenant's group with this name, if any.
async fn group_named(
    tx: &mut Transaction<'static, Any>,
    tenant_id: i64,
    name: &str,
) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT id FROM device_groups WHERE tenant_id = $1 AND name = $2")
            .bind(tenant_id)
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.get(0)),
    )
}

/// Checks that every id is a device of the tenant that is in no group or in `own_group`.
async fn check_members(
    tx: &mut Transaction<'static, Any>,
    tenant_id: i64,
    own_group: Option<i64>,
    device_ids: &[i64],
    problems: &mut Vec<GroupProblem>,
) -> Result<()> {
    // (serial, group id, group name) of each device of this tenant among the ids.
    let mut found: HashMap<i64, (String, Option<i64>, Option<String>)> = HashMap::new();
    for chunk in device_ids.chunks(500) {
        let sql = format!(
            "SELECT d.id, d.serial, g.id, g.name FROM devices d \
             LEFT JOIN device_groups g ON g.id = d.group_id \
             WHERE d.tenant_id = $1 AND d.id IN ({})",
            list_placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(tenant_id);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut **tx).await? {
            found.insert(r.get(0), (r.get(1), r.get(2), r.get(3)));
        }
    }
    let unknown: Vec<i64> = device_ids
        .iter()
        .copied()
        .filter(|id| !found.contains_key(id))
        .collect();
    if !unknown.is_empty() {
        problems.push(GroupProblem::UnknownDevices(unknown));
    }
    let busy: Vec<DeviceInOtherGroup> = device_ids
        .iter()
        .filter_map(|id| {
            let (serial, group_id, group_name) = found.get(id)?;
            let group_id = (*group_id)?;
            (Some(group_id) != own_group).then(|| DeviceInOtherGroup {
                device_id: *id,
                serial: serial.clone(),
                group_id,
                group_name: group_name.clone().unwrap_or_default(),
            })
        })
        .collect();
    if !busy.is_empty() {
        problems.push(GroupProblem::DevicesInOtherGroups(busy));
    }
    Ok(())
}

/// Makes exactly `device_ids` the members of the group: former members not listed go to no
/// group. The ids have been checked by [`check_members`].
async fn replace_members(
    tx: &mut Transaction<'static, Any>,
    tenant_id: i64,
    group_id: i64,
    device_ids: &[i64],
) -> Result<()> {
    sqlx::query("UPDATE devices SET group_id = NULL WHERE tenant_id = $1 AND group_id = $2")
        .bind(tenant_id)
        .bind(group_id)
        .execute(&mut **tx)
        .await?;
    for chunk in device_ids.chunks(500) {
        let sql = format!(
            "UPDATE devices SET group_id = $2 WHERE tenant_id = $1 AND id IN ({})",
            list_placeholders(3, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(group_id);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn group_in_tx(
    tx: &mut Transaction<'static, Any>,
    tenant_id: i64,
    group_id: i64,
) -> Result<Option<Group>> {
    Ok(sqlx::query(
        "SELECT g.id, g.name, (SELECT COUNT(*) FROM devices d \
         WHERE d.tenant_id = g.tenant_id AND d.group_id = g.id) \
         FROM device_groups g WHERE g.tenant_id = $1 AND g.id = $2",
    )
    .bind(tenant_id)
    .bind(group_id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| Group {
        id: r.get(0),
        name: r.get(1),
        device_count: r.get(2),
    }))
}

/// Sorted and without repeats: naming a device twice means the same as once.
fn distinct(device_ids: &[i64]) -> Vec<i64> {
    device_ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// A unique violation on the group name that slipped past the check (it cannot while the
/// tenant lock is held, but the constraint is the last word).
fn name_conflict(e: sqlx::Error) -> GroupError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            GroupError::Refused(vec![GroupProblem::NameTaken])
        }
        _ => GroupError::from(e),
    }
}

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

    /// The tenant's groups by name, each with its number of devices.
    pub async fn list_groups(&self, tenant_id: i64) -> Result<Vec<Group>> {
        Ok(sqlx::query(
            "SELECT g.id, g.name, COUNT(d.id) FROM device_groups g \
             LEFT JOIN devices d ON d.group_id = g.id AND d.tenant_id = g.tenant_id \
             WHERE g.tenant_id = $1 GROUP BY g.id, g.name ORDER BY g.name, g.id",
        )
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|r| Group {
            id: r.get(0),
            name: r.get(1),
            device_count: r.get(2),
        })
        .collect())
    }

    /// Renames a group (see [`Store::update_group`]).
    pub async fn rename_group(
        &self,
        tenant_id: i64,
        group_id: i64,
        name: &str,
    ) -> Result<Group, GroupError> {
        self.update_group(tenant_id, group_id, Some(name), None)
            .await
    }

    /// Makes exactly these devices the group's members (see [`Store::update_group`]).
    pub async fn set_group_members(
        &self,
        tenant_id: i64,
        group_id: i64,
        device_ids: &[i64],
    ) -> Result<Group, GroupError> {
        self.update_group(tenant_id, group_id, None, Some(device_ids))
            .await
    }
}

impl Change<'_> {
    /// Creates a group with the given devices, which must be devices of the tenant in no
    /// group. `name` has passed `policy::check_group_name`. A tenant that does not exist is
    /// [`GroupError::Store`]`(NotFound)`.
    pub async fn create_group(
        &mut self,
        tenant_id: i64,
        name: &str,
        device_ids: &[i64],
        now: i64,
    ) -> Result<Group, GroupError> {
        let device_ids = distinct(device_ids);
        if !lock_tenant_groups(self.backend(), &mut self.tx, tenant_id).await? {
            return Err(StoreError::NotFound.into());
        }
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM device_groups WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(&mut *self.tx)
            .await?
            .get(0);
        if count >= MAX_GROUPS_PER_TENANT as i64 {
            return Err(GroupError::TooMany);
        }
        let mut problems = Vec::new();
        if group_named(&mut self.tx, tenant_id, name).await?.is_some() {
            problems.push(GroupProblem::NameTaken);
        }
        check_members(&mut self.tx, tenant_id, None, &device_ids, &mut problems).await?;
        if !problems.is_empty() {
            return Err(GroupError::Refused(problems));
        }
        let group_id: i64 = sqlx::query(
            "INSERT INTO device_groups (tenant_id, name, created_at) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(tenant_id)
        .bind(name)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(name_conflict)?
        .get(0);
        replace_members(&mut self.tx, tenant_id, group_id, &device_ids).await?;
        Ok(Group {
            id: group_id,
            name: name.to_string(),
            device_count: device_ids.len() as i64,
        })
    }

    /// Renames a group and/or replaces its members, in one transaction: either both changes
    /// happen or neither. New members must be in no group or already in this one; former
    /// members not listed go to no group.
    pub async fn update_group(
        &mut self,
        tenant_id: i64,
        group_id: i64,
        name: Option<&str>,
        device_ids: Option<&[i64]>,
    ) -> Result<Group, GroupError> {
        let device_ids = device_ids.map(distinct);
        lock_tenant_groups(self.backend(), &mut self.tx, tenant_id).await?;
        if group_in_tx(&mut self.tx, tenant_id, group_id)
            .await?
            .is_none()
        {
            return Err(GroupError::NotFound);
        }
        let mut problems = Vec::new();
        if let Some(name) = name
            && group_named(&mut self.tx, tenant_id, name)
                .await?
                .is_some_and(|other| other != group_id)
        {
            problems.push(GroupProblem::NameTaken);
        }
        if let Some(ids) = &device_ids {
            check_members(&mut self.tx, tenant_id, Some(group_id), ids, &mut problems).await?;
        }
        if !problems.is_empty() {
            return Err(GroupError::Refused(problems));
        }
        if let Some(name) = name {
            sqlx::query("UPDATE device_groups SET name = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant_id)
                .bind(group_id)
                .bind(name)
                .execute(&mut *self.tx)
                .await
                .map_err(name_conflict)?;
        }
        if let Some(ids) = &device_ids {
            replace_members(&mut self.tx, tenant_id, group_id, ids).await?;
        }
        let group = group_in_tx(&mut self.tx, tenant_id, group_id)
            .await?
            .ok_or(GroupError::NotFound)?;
        Ok(group)
    }

    /// Deletes several groups at once (S22) and returns them as they were; their devices
    /// go to no group. If any id is not a group of this tenant, nothing is deleted.
    pub async fn delete_groups(
        &mut self,
        tenant_id: i64,
        group_ids: &[i64],
    ) -> Result<Vec<Group>, GroupError> {
        let group_ids = distinct(group_ids);
        lock_tenant_groups(self.backend(), &mut self.tx, tenant_id).await?;
        let mut deleted = Vec::with_capacity(group_ids.len());
        for &group_id in &group_ids {
            let group = group_in_tx(&mut self.tx, tenant_id, group_id)
                .await?
                .ok_or(GroupError::NotFound)?;
            deleted.push(group);
        }
        for &group_id in &group_ids {
            // Explicit rather than relying on ON DELETE SET NULL, which SQLite applies only
            // with foreign keys switched on for the connection.
            sqlx::query(
                "UPDATE devices SET group_id = NULL WHERE tenant_id = $1 AND group_id = $2",
            )
            .bind(tenant_id)
            .bind(group_id)
            .execute(&mut *self.tx)
            .await?;
            sqlx::query("DELETE FROM device_groups WHERE tenant_id = $1 AND id = $2")
                .bind(tenant_id)
                .bind(group_id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(deleted)
    }
}

alone! {
    /// See [`Change::create_group`].
    fn create_group(tenant_id: i64, name: &str, device_ids: &[i64], now: i64) -> Result<Group, GroupError>;
    /// See [`Change::update_group`].
    fn update_group(tenant_id: i64, group_id: i64, name: Option<&str>, device_ids: Option<&[i64]>) -> Result<Group, GroupError>;
    /// See [`Change::delete_groups`].
    fn delete_groups(tenant_id: i64, group_ids: &[i64]) -> Result<Vec<Group>, GroupError>;
}
