//! The demo tenant (SPEC O2).

use meterport_store::Store;

/// Creates the demo tenant on first run; returns what to tell the user.
pub async fn ensure_demo(_store: &Store, _now_ms: i64) -> anyhow::Result<String> {
    Ok(String::new())
}
