//! The rules of meterport, with no I/O.
//!
//! - [`counters`]: the counter keys of SPEC C1, device classes and exact values.
//! - [`period`]: days and months in a tenant's time zone, and the S12 range limits.
//! - [`engine`]: usage and cumulative values per period (SPEC C3-C6), as roll-ups that
//!   the store keeps up to date at ingest time.
//! - [`table`]: the counters result (SPEC §7) assembled from roll-ups, with totals.
//! - [`coverage`]: whether a month's readings cover it (incomplete months).
//! - [`device`], [`status`], [`policy`]: device fields, status severity, password and
//!   group-name policies.
//! - [`ingest`]: the wire format of readings and status reports and its validation.
//! - [`json`]: strict JSON, a key given twice refused with its path.
//! - [`login`]: lockout, password expiry and the forced change (S1-S3).
//! - [`labels`]: the counter tables' words in Japanese and English, and each tab's counters.
//! - [`supply_forecast`]: which supply levels are kept, and the day a supply runs out (B1).
//! - [`reporting`]: when a device that reported before is "not reporting".

pub mod counters;
pub mod coverage;
pub mod device;
pub mod engine;
pub mod ids;
pub mod ingest;
pub mod json;
pub mod labels;
pub mod login;
pub mod notify;
pub mod oracle;
pub mod period;
pub mod person;
pub mod policy;
pub mod reporting;
pub mod status;
pub mod supply_forecast;
pub mod table;

#[cfg(test)]
mod properties;
