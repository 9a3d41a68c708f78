//! Device groups (S22): create, rename and regroup, delete. The screens, the operator API
//! and `meterport admin` call these, so the rules and the audit entries are the same from
//! every front door.

use meterport_domain::ids::{GroupId, TenantId};
use meterport_domain::policy::{self, FieldError, MAX_GROUPS_PER_TENANT, Problem};
use meterport_store::StoreError;
use meterport_store::counters::GroupFilter;
use meterport_store::devices::Device;
use meterport_store::groups::{Group, GroupError, GroupProblem};
use serde_json::json;

use super::Missing;
use super::Services;
use super::audit::{self, AuditAction};
use super::operator::require_tenant;
use super::{Refused, ServiceError, ServiceResult};

/// A group change the store refused, typed: each front door words it itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRefusal {
    /// The tenant already has [`MAX_GROUPS_PER_TENANT`] groups.
    TooMany,
    /// Name taken, devices unknown or in another group.
    Problems(Vec<GroupProblem>),
}

/// The refusal as field errors (the API's `details`, the command line's
/// text): one per device in another group, so that each is named.
pub fn refusal_fields(refusal: &GroupRefusal) -> Vec<FieldError> {
    match refusal {
        GroupRefusal::TooMany => vec![FieldError::new(
            "name",
            Problem::TooManyGroups {
                max: MAX_GROUPS_PER_TENANT,
            },
        )],
        GroupRefusal::Problems(problems) => {
            let mut fields = Vec::new();
            for problem in problems {
                match problem {
                    GroupProblem::NameTaken => {
                        fields.push(FieldError::new("name", Problem::GroupNameTaken))
                    }
                    GroupProblem::UnknownDevices(ids) => {
                        let ids = ids
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(", ");
                        fields.push(FieldError::new(
                            "device_ids",
                            Problem::UnknownDevices { ids },
                        ));
                    }
                    GroupProblem::DevicesInOtherGroups(devices) => {
                        fields.extend(devices.iter().map(|d| {
                            FieldError::new(
                                "device_ids",
                                Problem::DeviceInOtherGroup {
                                    device_id: d.device_id,
                                    serial: d.serial.clone(),
                                    group: d.group_name.clone(),
                                },
                            )
                        }));
                    }
                }
            }
            fields
        }
    }
}

/// The tenant's groups, by name, with their number of devices.
pub async fn list_groups(svc: &Services, tenant_id: TenantId) -> ServiceResult<Vec<Group>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store.list_groups(tenant_id).await?)
}

/// One of the tenant's groups, or not found (also for another tenant's).
pub async fn group(svc: &Services, tenant_id: TenantId, group_id: GroupId) -> ServiceResult<Group> {
    list_groups(svc, tenant_id)
        .await?
        .into_iter()
        .find(|g| g.id == group_id.get())
        .ok_or(ServiceError::NotFound(Missing::Group))
}

/// How many of the tenant's devices are in no group.
pub async fn ungrouped_count(svc: &Services, tenant_id: TenantId) -> ServiceResult<i64> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store
        .device_status_counts(tenant_id, GroupFilter::NoGroup, None)
        .await?
        .total())
}

/// What a group's form offers (S22): the group's devices (checked) then those in no group.
pub async fn member_choices(
    svc: &Services,
    tenant_id: TenantId,
    group: Option<i64>,
) -> ServiceResult<Vec<(Device, bool)>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    let mut devices = Vec::new();
    if let Some(g) = group {
        let members = store.list_devices(tenant_id, GroupFilter::Group(g)).await?;
        devices.extend(members.into_iter().map(|d| (d, true)));
    }
    let free = store.list_devices(tenant_id, GroupFilter::NoGroup).await?;
    devices.extend(free.into_iter().map(|d| (d, false)));
    Ok(devices)
}

fn group_refusal(refused: Refused, e: GroupError) -> ServiceError {
    let refusal = match e {
        GroupError::NotFound => return ServiceError::NotFound(Missing::Group),
        GroupError::Store(StoreError::NotFound) => return ServiceError::NotFound(Missing::Tenant),
        GroupError::Store(e) => return ServiceError::Store(e),
        GroupError::TooMany => GroupRefusal::TooMany,
        GroupError::Refused(problems) => GroupRefusal::Problems(problems),
    };
    ServiceError::Group { refused, refusal }
}

/// Creates a device group (S22) with devices that are in no group.
pub async fn create_group(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    name: &str,
    device_ids: &[i64],
    now: i64,
) -> ServiceResult<Group> {
    let store = svc.store();
    const REFUSED: Refused = Refused::GroupNotCreated;
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let name = policy::check_group_name(name).map_err(|e| ServiceError::invalid(REFUSED, e))?;
    let mut change = store.change().await?;
    let group = change
        .create_group(tenant_id, &name, device_ids, now)
        .await
        .map_err(|e| group_refusal(REFUSED, e))?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::GroupCreated,
        &json!({"group_id": group.id, "name": group.name, "device_ids": device_ids}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(group)
}

/// Renames a group and/or replaces its members (S22), both or neither.
pub async fn update_group(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    group_id: GroupId,
    name: Option<&str>,
    device_ids: Option<&[i64]>,
    now: i64,
) -> ServiceResult<Group> {
    let store = svc.store();
    const REFUSED: Refused = Refused::GroupNotChanged;
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let group_id = group_id.get();
    if !store.group_exists(tenant_id, group_id).await? {
        return Err(ServiceError::NotFound(Missing::Group));
    }
    if name.is_none() && device_ids.is_none() {
        return Err(ServiceError::invalid(
            REFUSED,
            vec![FieldError::new("name", Problem::NothingToChange)],
        ));
    }
    let name = name
        .map(policy::check_group_name)
        .transpose()
        .map_err(|e| ServiceError::invalid(REFUSED, e))?;
    let mut change = store.change().await?;
    let group = change
        .update_group(tenant_id, group_id, name.as_deref(), device_ids)
        .await
        .map_err(|e| group_refusal(REFUSED, e))?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::GroupUpdated,
        &json!({"group_id": group.id, "name": group.name, "device_ids": device_ids}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(group)
}

/// Deletes groups (S22: several at once); their devices go to no group. If one id is
/// unknown, nothing is deleted.
pub async fn delete_groups(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    group_ids: &[i64],
    now: i64,
) -> ServiceResult<Vec<Group>> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let mut change = store.change().await?;
    let deleted = change
        .delete_groups(tenant_id, group_ids)
        .await
        .map_err(|e| group_refusal(Refused::GroupsNotDeleted, e))?;
    for group in &deleted {
        audit::record(
            &mut change,
            Some(tenant_id),
            actor,
            AuditAction::GroupDeleted,
            &json!({"group_id": group.id, "name": group.name}).to_string(),
            now,
        )
        .await?;
    }
    change.commit().await?;
    Ok(deleted)
}
