//! A deliberately naive statement of SPEC C3-C6, for tests: it recomputes every value from
//! the full list of readings, with no roll-ups, no baselines and no cleverness. The engine
//! and the store are checked against it on random histories.

use jiff::tz::TimeZone;

use crate::counters::{CounterSet, Key};
use crate::engine::Kind;
use crate::period::Period;

/// The value of one counter of one device in one period, straight from the readings;
/// `None` is "-". Also says whether the period holds the counter's first reading.
pub fn value(
    readings: &[(i64, CounterSet)],
    tz: &TimeZone,
    period: Period,
    key: Key,
    kind: Kind,
) -> (Option<i64>, bool) {
    let series = series(readings, key);
    let (start, end) = period.bounds_ms(tz);
    let mut result = None;
    let mut first_in_period = false;
    for (i, (at, v)) in series.iter().enumerate() {
        if *at < start || *at >= end {
            continue;
        }
        result = Some(match kind {
            Kind::Cumulative => *v,
            Kind::Usage => {
                // Growth from the previous reading (or from zero before the first one);
                // a counter that went down was reset and counts its new value.
                let prev = if i == 0 { 0 } else { series[i - 1].1 };
                let growth = if *v >= prev { v - prev } else { *v };
                result.unwrap_or(0) + growth
            }
        });
        first_in_period |= i == 0;
    }
    (result, first_in_period && kind == Kind::Usage)
}

/// Whether `key` went down at a reading inside `period` (against the reading before it, also
/// one before the period): a reset (C6).
pub fn reset(readings: &[(i64, CounterSet)], tz: &TimeZone, period: Period, key: Key) -> bool {
    let series = series(readings, key);
    let (start, end) = period.bounds_ms(tz);
    series
        .windows(2)
        .any(|w| w[1].0 >= start && w[1].0 < end && w[1].1 < w[0].1)
}

/// The days of a month (bit `day - 1`) with a reading, in `tz`.
pub fn covered_days(readings: &[(i64, CounterSet)], tz: &TimeZone, month: Period) -> u32 {
    let (start, end) = month.bounds_ms(tz);
    readings
        .iter()
        .filter(|(at, _)| *at >= start && *at < end)
        .fold(0, |bits, (at, _)| {
            let day = crate::period::day_of_ms(*at, tz).day();
            bits | 1 << (day - 1)
        })
}

/// One counter's readings in time order: (time, value).
fn series(readings: &[(i64, CounterSet)], key: Key) -> Vec<(i64, i64)> {
    let mut series: Vec<(i64, i64)> = readings
        .iter()
        .filter_map(|(at, c)| c.get(key).map(|v| (*at, v)))
        .collect();
    series.sort();
    series
}
