//! Whether a month's readings cover it: a month whose readings stop early or pause is
//! "incomplete", so that a low number is not taken for a quiet month.
//!
//! The rule, per device and month, from the days that have a reading (kept with the month's
//! roll-up, [`crate::engine::PeriodStats::covered`]): the month is incomplete when its
//! readings stop more than `T` days before its end (before today, for the month in progress),
//! or when two days with readings inside it are more than `T` days apart, where
//! `T = max(MONTH_GAP_DAYS, 2 × the device's usual interval)`. The usual interval is the
//! median number of days between the device's reading days in the table's range: a device
//! that reports once a week is not incomplete every week, one that reports daily but
//! not at weekends is not incomplete every Monday. The month of a device's first reading is
//! not judged by its start (it is marked as the first reading already, C5). A month in the
//! future, or without readings, has nothing to mark: it shows "-".

use jiff::civil::Date;

use crate::period::Period;

/// The days a month's readings may stop before its end, or pause inside it, for a device
/// that reports daily.
pub const MONTH_GAP_DAYS: i32 = 3;

/// The days of a month its readings cover: from the first to the last day with a reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covered {
    pub from: Date,
    pub to: Date,
}

/// The days set in a month's bitmap (bit `day - 1`), in order.
fn days_of(bits: u32) -> impl Iterator<Item = i32> {
    (0..31).filter(move |b| bits >> b & 1 != 0).map(|b| b + 1)
}

/// The median number of days between consecutive reading days over `months` (each a month
/// period with its bitmap); 1 when there are fewer than two reading days.
pub fn usual_interval_days(months: &[(Period, u32)]) -> i32 {
    let mut previous: Option<Date> = None;
    let mut gaps: Vec<i32> = Vec::new();
    for (p, bits) in months {
        let first = p.first_day();
        for d in days_of(*bits) {
            let Ok(day) = first.with().day(d as i8).build() else {
                continue;
            };
            if let Some(prev) = previous {
                gaps.push((day - prev).get_days());
            }
            previous = Some(day);
        }
    }
    if gaps.is_empty() {
        return 1;
    }
    gaps.sort_unstable();
    gaps[gaps.len() / 2].max(1)
}

/// For each month of `months` (a device's bitmaps in period order), the days its readings
/// cover when the month is incomplete, else `None`. `today` is in the tenant's zone.
pub fn incomplete_months(months: &[(Period, u32)], today: Date) -> Vec<Option<Covered>> {
    // One reading day tells nothing of how often a device reports: nothing is judged.
    let reading_days: u32 = months.iter().map(|(_, b)| b.count_ones()).sum();
    if reading_days < 2 {
        return vec![None; months.len()];
    }
    let limit = MONTH_GAP_DAYS.max(2 * usual_interval_days(months));
    months
        .iter()
        .map(|(p, bits)| {
            if *bits == 0 || p.first_day() > today {
                return None;
            }
            let first = p.first_day();
            let at = |d: i32| first.with().day(d as i8).build().ok();
            let days: Vec<Date> = days_of(*bits).filter_map(at).collect();
            let (&from, &to) = (days.first()?, days.last()?);
            let end = p.last_day().min(today);
            let stops_early = (end - to).get_days() > limit;
            let pauses = days.windows(2).any(|w| (w[1] - w[0]).get_days() > limit);
            (stops_early || pauses).then_some(Covered { from, to })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn month(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn bits(days: impl IntoIterator<Item = i32>) -> u32 {
        days.into_iter().fold(0, |b, d| b | 1 << (d - 1))
    }

    #[test]
    fn a_month_whose_readings_stop_half_way_is_incomplete_with_the_days_covered() {
        let months = [
            (month("2025-04"), bits(1..=30)),
            (month("2025-05"), bits(1..=14)),
            (month("2025-06"), bits(20..=30)),
        ];
        let got = incomplete_months(&months, date(2025, 12, 1));
        assert_eq!(got[0], None);
        assert_eq!(
            got[1],
            Some(Covered {
                from: date(2025, 5, 1),
                to: date(2025, 5, 14)
            })
        );
        // June's readings start late: its usage counts from May 14th, nothing is missing
        // at its end.
        assert_eq!(got[2], None);
    }

    #[test]
    fn a_pause_inside_a_month_longer_than_the_usual_interval_makes_it_incomplete() {
        let months = [
            (
                month("2025-01"),
                bits((1..=31).filter(|d| !(10..=20).contains(d))),
            ),
            (month("2025-02"), bits(1..=28)),
        ];
        let got = incomplete_months(&months, date(2025, 12, 1));
        assert_eq!(
            got[0].map(|c| (c.from, c.to)),
            Some((date(2025, 1, 1), date(2025, 1, 31)))
        );
        assert_eq!(got[1], None);
    }

    #[test]
    fn weekends_without_readings_and_weekly_reporters_are_not_incomplete() {
        // Mondays to Fridays of March 2025 (the 1st is a Saturday).
        let weekdays = bits((1..=31).filter(|d| !matches!(d % 7, 1 | 2)));
        let weekly = bits([3, 10, 17, 24, 31]);
        for b in [weekdays, weekly] {
            let got = incomplete_months(&[(month("2025-03"), b)], date(2025, 12, 1));
            assert_eq!(got, [None]);
        }
        assert_eq!(usual_interval_days(&[(month("2025-03"), weekly)]), 7);
    }

    #[test]
    fn the_month_in_progress_is_judged_up_to_today_and_future_months_not_at_all() {
        let months = [
            (month("2025-11"), bits(1..=30)),
            (month("2025-12"), bits(1..=5)),
            (month("2026-01"), 0),
        ];
        assert_eq!(
            incomplete_months(&months, date(2025, 12, 6)),
            [None, None, None]
        );
        let later = incomplete_months(&months, date(2025, 12, 20));
        assert_eq!(later[1].map(|c| c.to), Some(date(2025, 12, 5)));
        assert_eq!(later[2], None);
    }

    #[test]
    fn a_month_without_known_days_or_a_device_with_one_reading_is_not_judged() {
        assert_eq!(
            incomplete_months(&[(month("2025-05"), 0)], date(2025, 12, 1)),
            [None]
        );
        let once = [(month("2025-05"), bits([3])), (month("2025-06"), 0)];
        assert_eq!(incomplete_months(&once, date(2025, 12, 1)), [None, None]);
    }
}
