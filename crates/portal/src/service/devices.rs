//! A customer's devices (S7-S11, S28): the list with its counts by status, one device's
//! information, the two settings a customer may change on it (group and toner
//! administrator, with their audit entry), the toner/ink overview, whether a device still
//! reports, and the fleet's figures on the welcome screen.

use meterport_domain::counters::CounterSet;
use meterport_domain::ids::{DeviceId, TenantId};
use meterport_domain::reporting::{self, Reporting};
use meterport_store::conditions::OpenCondition;
use meterport_store::counters::GroupFilter;
use meterport_store::device_settings::{
    DeviceListQuery, DeviceRow, DeviceSettingsError, StatusCounts,
};
use meterport_store::devices::Device;
use meterport_store::groups::Group;
use meterport_store::supplies::{DeviceSupplies, SupplyFilter, SupplyReport, SupplySummary};
use meterport_store::tenants::Tenant;
use meterport_store::users::User;
use serde_json::json;

use super::Missing;
use super::Services;
use super::audit::{self, AuditAction};
use super::{ServiceError, ServiceResult};

/// How many devices of a selection show each status, and how many are not reporting at
/// `now` (the counts above the list).
pub async fn status_counts(
    svc: &Services,
    tenant_id: TenantId,
    group: GroupFilter,
    text: Option<&str>,
    now: i64,
) -> ServiceResult<StatusCounts> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store.device_counts(tenant_id, group, text, now).await?)
}

/// Whether a device of `tenant` reports at `now` (`meterport_domain::reporting`): `None`
/// when the portal never heard from it.
pub fn reporting(tenant: &Tenant, device: &Device, now: i64) -> Option<Reporting> {
    let hours =
        reporting::late_after_hours(tenant.notify.late_after_hours, device.late_after_hours);
    reporting::reporting(device.last_report_at, hours, now)
}

/// The fleet at a glance (the welcome screen): devices by status, how many are not
/// reporting, and the low and empty supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetSummary {
    pub statuses: StatusCounts,
    pub supplies: SupplySummary,
}

pub async fn fleet_summary(
    svc: &Services,
    tenant_id: TenantId,
    now: i64,
) -> ServiceResult<FleetSummary> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(FleetSummary {
        statuses: store
            .device_counts(tenant_id, GroupFilter::All, None, now)
            .await?,
        supplies: store.supply_summary(tenant_id, GroupFilter::All).await?,
    })
}

/// One page of the device list, sorted and filtered in SQL.
pub async fn device_page(
    svc: &Services,
    tenant_id: TenantId,
    query: &DeviceListQuery,
) -> ServiceResult<Vec<DeviceRow>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store.device_page(tenant_id, query).await?)
}

/// The tenant's devices of a selection; a group of another tenant is as unknown as a
/// missing one.
pub async fn list(
    svc: &Services,
    tenant_id: TenantId,
    group: GroupFilter,
) -> ServiceResult<Vec<Device>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    if let GroupFilter::Group(g) = group
        && !store.group_exists(tenant_id, g).await?
    {
        return Err(ServiceError::NotFound(Missing::Group));
    }
    Ok(store.list_devices(tenant_id, group).await?)
}

/// A device with what it reports of itself: its open conditions and its latest supplies.
#[derive(Debug)]
pub struct DeviceState {
    pub device: Device,
    pub conditions: Vec<OpenCondition>,
    pub supplies: Option<SupplyReport>,
}

/// A device of the tenant with its conditions and supplies (the read API's detail), or
/// not found.
pub async fn state(
    svc: &Services,
    tenant_id: TenantId,
    device_id: DeviceId,
) -> ServiceResult<DeviceState> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    let device_id = device_id.get();
    let device = store
        .device(tenant_id, device_id)
        .await
        .map_err(ServiceError::missing(Missing::Device))?;
    Ok(DeviceState {
        device,
        conditions: store.open_conditions(tenant_id, device_id).await?,
        supplies: store.device_supplies(tenant_id, device_id).await?,
    })
}

/// Everything the device information screen shows (S11).
#[derive(Debug)]
pub struct DeviceDetail {
    pub device: Device,
    pub conditions: Vec<OpenCondition>,
    /// The tenant's groups and users, to choose from.
    pub groups: Vec<Group>,
    pub users: Vec<User>,
    /// The latest reading: its time and counters.
    pub latest: Option<(i64, CounterSet)>,
    pub supplies: Option<SupplyReport>,
}

/// A device of the tenant with what its screen shows, or not found.
pub async fn detail(
    svc: &Services,
    tenant_id: TenantId,
    device_id: DeviceId,
) -> ServiceResult<DeviceDetail> {
    let store = svc.store();
    let DeviceState {
        device,
        conditions,
        supplies,
    } = state(svc, tenant_id, device_id).await?;
    let tenant_id = tenant_id.get();
    let device_id = device_id.get();
    Ok(DeviceDetail {
        device,
        conditions,
        groups: store.list_groups(tenant_id).await?,
        users: store.list_users(tenant_id).await?,
        latest: store.latest_reading(tenant_id, device_id).await?,
        supplies,
    })
}

/// Why a device's settings were not saved, each choice on its own so that both fields can
/// say so at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettingsRefusal {
    pub unknown_group: bool,
    pub unknown_user: bool,
}

#[derive(Debug)]
pub enum SaveError {
    Refused(SettingsRefusal),
    Service(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for SaveError {
    fn from(e: E) -> SaveError {
        SaveError::Service(e.into())
    }
}

/// Which of a group and a toner administrator are not the tenant's (each on its own, so
/// that a form can name both at once).
pub async fn check_settings(
    svc: &Services,
    tenant_id: TenantId,
    group: Option<i64>,
    toner_admin: Option<i64>,
) -> ServiceResult<SettingsRefusal> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    let mut refusal = SettingsRefusal::default();
    if let Some(g) = group {
        refusal.unknown_group = !store.group_exists(tenant_id, g).await?;
    }
    if let Some(u) = toner_admin {
        refusal.unknown_user = match store.user(tenant_id, u).await {
            Ok(_) => false,
            Err(meterport_store::StoreError::NotFound) => true,
            Err(e) => return Err(e.into()),
        };
    }
    Ok(refusal)
}

/// Puts a device in a group (or none) and names its toner administrator (or none): both
/// must be the tenant's. Checked here first, field by field, and again by the store in its
/// transaction.
pub async fn save_settings(
    svc: &Services,
    tenant_id: TenantId,
    actor: &str,
    device_id: DeviceId,
    group: Option<i64>,
    toner_admin: Option<i64>,
    now: i64,
) -> Result<(), SaveError> {
    let store = svc.store();
    let refusal = check_settings(svc, tenant_id, group, toner_admin).await?;
    let tenant_id = tenant_id.get();
    let device_id = device_id.get();
    if refusal != SettingsRefusal::default() {
        return Err(SaveError::Refused(refusal));
    }
    let mut change = store.change().await?;
    match change
        .set_device_settings(tenant_id, device_id, group, toner_admin)
        .await
    {
        Ok(()) => {}
        Err(DeviceSettingsError::NotFound) => {
            return Err(SaveError::Service(ServiceError::NotFound(Missing::Device)));
        }
        Err(DeviceSettingsError::Refused {
            unknown_group,
            unknown_user,
        }) => {
            return Err(SaveError::Refused(SettingsRefusal {
                unknown_group,
                unknown_user,
            }));
        }
        Err(DeviceSettingsError::Store(e)) => return Err(e.into()),
    }
    let detail = json!({"device_id": device_id, "group_id": group, "toner_admin_id": toner_admin});
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::DeviceSettingsChanged,
        &detail.to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

/// The toner/ink overview of a selection (S28): counts, one page of devices with their
/// supplies, and a few of the devices that report none.
pub async fn supply_summary(
    svc: &Services,
    tenant_id: TenantId,
    group: GroupFilter,
) -> ServiceResult<SupplySummary> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store.supply_summary(tenant_id, group).await?)
}

pub async fn supply_page(
    svc: &Services,
    tenant_id: TenantId,
    group: GroupFilter,
    only: Option<SupplyFilter>,
    limit: i64,
    offset: i64,
) -> ServiceResult<Vec<DeviceSupplies>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store
        .supply_page(tenant_id, group, only, limit, offset)
        .await?)
}

pub async fn devices_without_supplies(
    svc: &Services,
    tenant_id: TenantId,
    group: GroupFilter,
    limit: i64,
) -> ServiceResult<Vec<(i64, String)>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store
        .devices_without_supplies(tenant_id, group, limit)
        .await?)
}
