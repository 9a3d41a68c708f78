//! Retention (SPEC C7): readings older than a tenant's retention are deleted, once an hour.

use std::sync::Arc;
use std::time::Duration;

use meterport_store::Result;

use crate::clock::Clock;
use crate::service::Services;
use crate::service::ingest::retention_start_ms;

/// How often the purge runs: its first pass after a start, then hourly.
const EVERY: Duration = Duration::from_secs(3600);

/// Deletes, for every tenant with a retention, the readings taken before its start. Returns
/// the number of readings deleted.
pub async fn purge_expired_readings(svc: &Services, now_ms: i64) -> Result<u64> {
    let store = svc.store();
    let mut deleted = 0;
    for tenant in store.list_tenants_all().await? {
        if let Some(start) = retention_start_ms(&tenant, now_ms) {
            deleted += store.purge_readings(tenant.id, start).await?;
        }
    }
    Ok(deleted)
}

/// Runs [`purge_expired_readings`] now and then every hour, for as long as the server runs.
pub async fn run_purges(svc: Services, clock: Arc<dyn Clock>) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        match purge_expired_readings(&svc, clock.now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(readings = n, "readings past their retention deleted"),
            Err(e) => tracing::error!(error = %e, "purging readings past their retention failed"),
        }
    }
}
