//! Whether a device still reports ("Fleet health by e-mail"): a device the portal has heard
//! from before (a reading, a status report or a meter mail) and from which nothing has
//! arrived for longer than its threshold is "not reporting" (`late`). Its threshold is its
//! own when the operator set one (devices known to report weekly), else its tenant's
//! (default 48 hours). A device never heard from is not late: it has no report to be late
//! after (its status is "unknown", S9).
//!
//! The rule, with `h` the last time the portal heard from the device and `H` the threshold:
//! late exactly when `now - h > H`, i.e. `h + H < now`. "Heard" is when a report *arrived*,
//! not the time it carries: a collector that delivers a week of spooled readings after an
//! outage is reporting now, and a device whose clock is wrong is no later for it.
//!
//! The store selects, counts and sorts late devices in SQL with the same inequality
//! (`meterport_store::device_settings::late_sql`), built from [`HOUR_MS`].

/// Milliseconds in an hour: thresholds are whole hours.
pub const HOUR_MS: i64 = 3_600_000;

/// A tenant's threshold until the operator sets one (migration 0013).
pub const DEFAULT_LATE_AFTER_HOURS: i64 = 48;

/// The thresholds an operator may set, for a tenant or a device: an hour to a year.
pub const LATE_AFTER_HOURS_MIN: i64 = 1;
pub const LATE_AFTER_HOURS_MAX: i64 = 8_760;

/// Whether a device that has reported before still does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reporting {
    /// Heard from within its threshold.
    Ok,
    /// Silent for longer than its threshold: "not reporting".
    Late,
}

impl Reporting {
    pub const ALL: [Reporting; 2] = [Reporting::Ok, Reporting::Late];

    /// The name in the read API (`"reporting"`) and in the device list's URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Reporting::Ok => "ok",
            Reporting::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<Reporting> {
        Reporting::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The threshold in effect: the device's own when the operator set one, else the tenant's.
pub fn late_after_hours(tenant_hours: i64, device_hours: Option<i64>) -> i64 {
    device_hours.unwrap_or(tenant_hours)
}

/// Whether an operator may set this threshold (hours).
pub fn is_valid_late_after_hours(hours: i64) -> bool {
    (LATE_AFTER_HOURS_MIN..=LATE_AFTER_HOURS_MAX).contains(&hours)
}

/// The last instant at which a device last heard at `last_heard` is still reporting; one
/// millisecond later it is late.
pub fn late_after(last_heard: i64, hours: i64) -> i64 {
    last_heard.saturating_add(hours.saturating_mul(HOUR_MS))
}

/// Whether a device last heard at `last_heard` (`None`: never) reports, at `now`, with a
/// threshold of `hours`. `None` for a device never heard from: it is not late.
pub fn reporting(last_heard: Option<i64>, hours: i64, now: i64) -> Option<Reporting> {
    let heard = last_heard?;
    Some(if now > late_after(heard, hours) {
        Reporting::Late
    } else {
        Reporting::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_638_316_800_000;

    #[test]
    fn a_device_is_late_only_once_strictly_more_than_its_threshold_has_passed() {
        let h48 = 48 * HOUR_MS;
        assert_eq!(reporting(Some(T0), 48, T0), Some(Reporting::Ok));
        assert_eq!(reporting(Some(T0), 48, T0 + h48), Some(Reporting::Ok));
        assert_eq!(reporting(Some(T0), 48, T0 + h48 + 1), Some(Reporting::Late));
        // A report that carries a time in the future (a clock ahead) is simply not late.
        assert_eq!(reporting(Some(T0 + HOUR_MS), 1, T0), Some(Reporting::Ok));
    }

    #[test]
    fn a_device_never_heard_from_is_not_late_however_long_ago_it_was_registered() {
        assert_eq!(reporting(None, 1, i64::MAX), None);
    }

    #[test]
    fn the_device_s_own_threshold_wins_over_the_tenant_s() {
        assert_eq!(late_after_hours(48, None), 48);
        assert_eq!(late_after_hours(48, Some(200)), 200);
        let weekly = late_after_hours(48, Some(8 * 24));
        assert_eq!(
            reporting(Some(T0), weekly, T0 + 7 * 24 * HOUR_MS),
            Some(Reporting::Ok)
        );
        assert_eq!(
            reporting(Some(T0), 48, T0 + 7 * 24 * HOUR_MS),
            Some(Reporting::Late)
        );
    }

    #[test]
    fn thresholds_run_from_an_hour_to_a_year_and_names_round_trip() {
        assert!(!is_valid_late_after_hours(0));
        assert!(is_valid_late_after_hours(1));
        assert!(is_valid_late_after_hours(8_760));
        assert!(!is_valid_late_after_hours(8_761));
        assert!(is_valid_late_after_hours(DEFAULT_LATE_AFTER_HOURS));
        for r in Reporting::ALL {
            assert_eq!(Reporting::parse(r.as_str()), Some(r));
        }
        assert_eq!(Reporting::parse("unknown"), None);
        // No overflow at the far end of time.
        assert_eq!(late_after(i64::MAX - 1, 8_760), i64::MAX);
    }
}
