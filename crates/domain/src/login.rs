//! Login policy (SPEC S1-S3): lockout after five failures, password expiry after three
//! months with a warning from seven days before, and the forced change.
//!
//! Pure decisions over a user's login state and the current time; the store records the
//! outcome. Times are UTC milliseconds.

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Consecutive wrong passwords that lock an account.
pub const MAX_FAILURES: i64 = 5;
/// How long a lock lasts.
pub const LOCK_MS: i64 = 12 * 60 * 1000;
/// A password is valid this many months after its last change.
pub const EXPIRY_MONTHS: i64 = 3;
/// The warning shows from this many days before expiry.
pub const WARN_DAYS: i64 = 7;

/// What the store knows about an account's logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginState {
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub password_changed_at: i64,
    pub must_change_password: bool,
}

/// The decision on a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginDecision {
    /// Locked: refused whatever the password, until the given time.
    Locked { until: i64 },
    /// Wrong password: record a failure; `locks_now` when it is the fifth.
    WrongPassword { failures: i64, locks_now: bool },
    /// Right password; the session may only change the password (expired or reset by the
    /// operator).
    MustChangePassword,
    /// Right password; `expires_at` is the password's expiry, `warn` when it is near.
    Ok { expires_at: i64, warn: bool },
}

/// When a password changed at `changed_at` expires: three calendar months later (in UTC;
/// a day's difference across zones does not matter for a three-month policy).
pub fn expires_at(changed_at: i64) -> i64 {
    let t = Timestamp::from_millisecond(changed_at).expect("in range");
    t.to_zoned_datetime(TimeZone::UTC)
        .checked_add(Span::new().months(EXPIRY_MONTHS))
        .expect("in range")
        .timestamp()
        .as_millisecond()
}

/// Decides a login attempt at `now` given whether the password matched.
pub fn decide(state: &LoginState, password_ok: bool, now: i64) -> LoginDecision {
    if let Some(until) = state.locked_until.filter(|u| *u > now) {
        return LoginDecision::Locked { until };
    }
    // A lock that has run out starts a fresh count.
    let failures = if state.locked_until.is_some() {
        0
    } else {
        state.failed_logins
    };
    if !password_ok {
        let failures = failures + 1;
        return LoginDecision::WrongPassword {
            failures,
            locks_now: failures >= MAX_FAILURES,
        };
    }
    let expires = expires_at(state.password_changed_at);
    if state.must_change_password || now >= expires {
        return LoginDecision::MustChangePassword;
    }
    LoginDecision::Ok {
        expires_at: expires,
        warn: now >= expires - WARN_DAYS * 86_400_000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    // 2026-01-10T00:00:00Z
    const CHANGED: i64 = 1_768_003_200_000;

    fn state(failed: i64, locked_until: Option<i64>) -> LoginState {
        LoginState {
            failed_logins: failed,
            locked_until,
            password_changed_at: CHANGED,
            must_change_password: false,
        }
    }

    #[test]
    fn the_fifth_wrong_password_locks_the_account() {
        assert_eq!(
            decide(&state(3, None), false, CHANGED + DAY),
            LoginDecision::WrongPassword {
                failures: 4,
                locks_now: false
            }
        );
        assert_eq!(
            decide(&state(4, None), false, CHANGED + DAY),
            LoginDecision::WrongPassword {
                failures: 5,
                locks_now: true
            }
        );
    }

    #[test]
    fn a_locked_account_refuses_even_the_right_password_for_twelve_minutes() {
        let now = CHANGED + DAY;
        let locked = state(5, Some(now + LOCK_MS));
        assert_eq!(
            decide(&locked, true, now),
            LoginDecision::Locked {
                until: now + LOCK_MS
            }
        );
        assert_eq!(
            decide(&locked, true, now + LOCK_MS - 1),
            LoginDecision::Locked {
                until: now + LOCK_MS
            }
        );
        assert!(matches!(
            decide(&locked, true, now + LOCK_MS),
            LoginDecision::Ok { .. }
        ));
        // After the lock a wrong password counts from one again.
        assert_eq!(
            decide(&locked, false, now + LOCK_MS),
            LoginDecision::WrongPassword {
                failures: 1,
                locks_now: false
            }
        );
    }

    #[test]
    fn a_password_expires_three_months_after_its_change_with_a_week_of_warning() {
        let expiry = expires_at(CHANGED);
        assert_eq!(
            Timestamp::from_millisecond(expiry).unwrap().to_string(),
            "2026-04-10T00:00:00Z"
        );
        assert_eq!(
            decide(&state(0, None), true, expiry - 8 * DAY),
            LoginDecision::Ok {
                expires_at: expiry,
                warn: false
            }
        );
        assert_eq!(
            decide(&state(0, None), true, expiry - 7 * DAY),
            LoginDecision::Ok {
                expires_at: expiry,
                warn: true
            }
        );
        assert_eq!(
            decide(&state(0, None), true, expiry),
            LoginDecision::MustChangePassword
        );
    }

    #[test]
    fn an_operator_reset_forces_a_change_at_the_next_login() {
        let mut s = state(0, None);
        s.must_change_password = true;
        assert_eq!(
            decide(&s, true, CHANGED + DAY),
            LoginDecision::MustChangePassword
        );
        assert!(matches!(
            decide(&s, false, CHANGED + DAY),
            LoginDecision::WrongPassword { .. }
        ));
    }
}
