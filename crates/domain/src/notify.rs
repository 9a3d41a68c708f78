//! When a status notification is decided (SPEC S23): a condition that opens is held back for
//! the tenant's hold-down, so that one that closes again at once (a jam cleared, a door shut)
//! bothers nobody, and conditions that open together reach a user in one mail.
//!
//! The rule, for one tenant's undecided conditions at `now`, with hold-down `H`: nothing is
//! decided until the oldest has waited `H` (opened at `s`, decided at `s + H`). Then every
//! condition that opened by `s + H` joins it, and so does every later one that has itself
//! waited `H`. Each is dropped if it closed less than `H` after it opened, and sent
//! otherwise (also when it has closed since: it lasted). A condition that joins a mail
//! before its own hold-down has passed is sent if it is still open.

/// An undecided condition: its id, when it opened and when it closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub since: i64,
    pub closed_at: Option<i64>,
}

/// What becomes of the conditions decided now (the others wait).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub send: Vec<i64>,
    pub drop: Vec<i64>,
}

impl Decision {
    pub fn is_empty(&self) -> bool {
        self.send.is_empty() && self.drop.is_empty()
    }
}

/// Decides one tenant's undecided conditions at `now` (all times in milliseconds).
pub fn decide(pending: &[Pending], now: i64, holddown_ms: i64) -> Decision {
    let mut decision = Decision::default();
    let Some(first) = pending.iter().map(|p| p.since).min() else {
        return decision;
    };
    if now < first.saturating_add(holddown_ms) {
        return decision;
    }
    let cutoff = (first + holddown_ms).max(now - holddown_ms);
    for p in pending.iter().filter(|p| p.since <= cutoff) {
        let brief = p
            .closed_at
            .is_some_and(|closed| closed - p.since < holddown_ms);
        if brief {
            decision.drop.push(p.id);
        } else {
            decision.send.push(p.id);
        }
    }
    decision
}

/// The first instant after `now_ms` at which the clock of `tz` shows `hour`:00 (the daily
/// digest of low toner and ink). On a day when that hour does not exist (a DST gap), the
/// instant jiff's compatible rule gives.
pub fn next_hour(now_ms: i64, tz: &jiff::tz::TimeZone, hour: i8) -> i64 {
    let Ok(now) = jiff::Timestamp::from_millisecond(now_ms) else {
        return now_ms;
    };
    let local = now.to_zoned_datetime(tz.clone());
    let at = |date: jiff::civil::Date| {
        date.at(hour, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(now_ms)
    };
    let today = at(local.date());
    if today > now_ms {
        return today;
    }
    local.date().tomorrow().map(at).unwrap_or(now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const H: i64 = 5 * MIN;

    fn open(id: i64, since: i64) -> Pending {
        Pending {
            id,
            since,
            closed_at: None,
        }
    }

    fn closed(id: i64, since: i64, closed_at: i64) -> Pending {
        Pending {
            id,
            since,
            closed_at: Some(closed_at),
        }
    }

    #[test]
    fn nothing_is_decided_before_the_oldest_has_waited_the_hold_down() {
        let p = [open(1, 0), open(2, 2 * MIN)];
        assert!(decide(&p, H - 1, H).is_empty());
        assert!(decide(&[], 10 * H, H).is_empty());
    }

    #[test]
    fn conditions_opening_within_the_first_hold_down_join_its_mail() {
        let p = [open(1, 0), open(2, 2 * MIN), open(3, H), open(4, H + 1)];
        let d = decide(&p, H, H);
        assert_eq!(d.send, vec![1, 2, 3]);
        assert!(d.drop.is_empty());
        // The one opened after the window waits for its own hold-down.
        assert!(decide(&[open(4, H + 1)], H + 1 + H - 1, H).is_empty());
        assert_eq!(decide(&[open(4, H + 1)], 2 * H + 1, H).send, vec![4]);
    }

    #[test]
    fn a_condition_that_closed_within_the_hold_down_is_dropped_and_one_that_lasted_is_sent() {
        let p = [
            closed(1, 0, H - 1),
            closed(2, 0, H),
            closed(3, MIN, 2 * MIN),
            open(4, MIN),
        ];
        let d = decide(&p, H, H);
        assert_eq!(d.send, vec![2, 4]);
        assert_eq!(d.drop, vec![1, 3]);
    }

    #[test]
    fn after_a_long_pause_everything_that_waited_is_decided_at_once() {
        let p = [open(1, 0), closed(2, 10 * H, 10 * H + MIN), open(3, 20 * H)];
        let d = decide(&p, 20 * H + H / 2, H);
        assert_eq!(d.send, vec![1]);
        assert_eq!(d.drop, vec![2]);
    }

    #[test]
    fn the_digest_hour_is_the_next_one_in_the_tenant_s_zone() {
        let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
        let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        // 08:30 in Tokyo: today at 09:00; 09:00 sharp and later: tomorrow.
        assert_eq!(
            next_hour(ms("2021-11-30T23:30:00Z"), &tokyo, 9),
            ms("2021-12-01T00:00:00Z")
        );
        assert_eq!(
            next_hour(ms("2021-12-01T00:00:00Z"), &tokyo, 9),
            ms("2021-12-02T00:00:00Z")
        );
        assert_eq!(
            next_hour(ms("2021-12-01T05:00:00Z"), &tokyo, 0),
            ms("2021-12-01T15:00:00Z")
        );
    }

    #[test]
    fn a_hold_down_of_zero_sends_at_once() {
        let d = decide(&[open(1, 100), closed(2, 100, 100)], 100, 0);
        assert_eq!(d.send, vec![1, 2]);
    }
}
