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
    let mut series: Vec<(i64, i64)> = readings
        .iter()
        .filter_map(|(at, c)| c.get(key).map(|v| (*at, v)))
        .collect();
    series.sort();
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
