//! Days to empty (SPEC B1): when each supply of a device's latest report is expected to run
//! out, for the toner/ink screen, the device page, the read API and the toner mail.
//!
//! The rule is `meterport_domain::supply_forecast` (least squares over the supply's level
//! changes since it was last replaced, not enough data under 14 days or 3 levels); the
//! histories come from `meterport_store::supply_history`. Days are in the tenant's zone,
//! so that every screen, the API and the mail name the same day.

use meterport_domain::ids::DeviceId;
use meterport_domain::supply_forecast::{Forecast, LevelPoint};
use meterport_store::supplies::{Supply, SupplyReport};
use meterport_store::supply_history::supply_keys;
use meterport_store::tenants::Tenant;

use super::ServiceResult;
use super::Services;

/// A supply of a device's latest report with its forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyForecast {
    pub supply: Supply,
    pub forecast: Forecast,
}

/// The forecast of each supply of these reports (devices of `tenant`, as the store gave
/// them): one list per report, in its supplies' order. A supply that never reported a
/// measured level has not enough data.
pub async fn forecasts(
    svc: &Services,
    tenant: &Tenant,
    reports: &[(DeviceId, &SupplyReport)],
    now_ms: i64,
) -> ServiceResult<Vec<Vec<Forecast>>> {
    let store = svc.store();
    let ids: Vec<i64> = reports.iter().map(|(id, _)| id.get()).collect();
    let mut histories = store.supply_histories(tenant.id, &ids).await?;
    let tz = tenant.tz();
    Ok(reports
        .iter()
        .map(|(device, report)| {
            report
                .supplies
                .iter()
                .zip(supply_keys(&report.supplies))
                .map(|(supply, key)| {
                    // The latest report's level, when measured: the last level lasted
                    // at least until then.
                    let latest = supply
                        .measured_level()
                        .map(|level| LevelPoint::new(report.reported_at, level));
                    histories
                        .remove(&(device.get(), key))
                        .map_or(Forecast::NotEnoughData, |h| h.forecast(latest, now_ms, &tz))
                })
                .collect()
        })
        .collect())
}

/// A device's latest supplies, each with the day it is expected to run out: what the toner
/// mail says of a device. Empty when the device never reported supplies, or is not the
/// tenant's.
pub async fn device_forecasts(
    svc: &Services,
    tenant: &Tenant,
    device_id: DeviceId,
    now_ms: i64,
) -> ServiceResult<Vec<SupplyForecast>> {
    let store = svc.store();
    let Some(report) = store.device_supplies(tenant.id, device_id.get()).await? else {
        return Ok(Vec::new());
    };
    let forecasts = forecasts(svc, tenant, &[(device_id, &report)], now_ms)
        .await?
        .pop()
        .unwrap_or_default();
    Ok(report
        .supplies
        .into_iter()
        .zip(forecasts)
        .map(|(supply, forecast)| SupplyForecast { supply, forecast })
        .collect())
}
