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
    let mut rest = bits;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let b = rest.trailing_zeros() as i32;
            rest &= rest - 1;
            b + 1
        })
    })
}

/// A table's months, measured once: where each starts (days since 1970-01-01), how many of
/// its days count (up to today for the month in progress, none for a month to come). A
/// fleet-wide query judges every device's months against it with bit operations.
#[derive(Debug, Clone)]
pub struct MonthGrid {
    months: Vec<GridMonth>,
}

#[derive(Debug, Clone, Copy)]
struct GridMonth {
    first: Date,
    /// Days since 1970-01-01 of the month's first day.
    start: i32,
    /// The days judged: the month's length, up to today; 0 for a month to come.
    end: i32,
}

fn day_number(d: Date) -> i32 {
    (d - Date::constant(1970, 1, 1)).get_days()
}

impl MonthGrid {
    pub fn new(months: &[Period], today: Date) -> MonthGrid {
        MonthGrid {
            months: months
                .iter()
                .map(|p| {
                    let first = p.first_day();
                    let end = if first > today {
                        0
                    } else {
                        i32::from(p.last_day().min(today).day())
                    };
                    GridMonth {
                        first,
                        start: day_number(first),
                        end,
                    }
                })
                .collect(),
        }
    }

    /// For each month, the days its readings cover when it is incomplete (see the module's
    /// rule); `covered` holds a device's bitmaps in the grid's order.
    pub fn incomplete(&self, covered: &[u32]) -> Vec<Option<Covered>> {
        let n = self.months.len();
        // Most devices report often and regularly: nothing falls short even at the
        // smallest limit, and no interval needs computing.
        if !(0..n).any(|i| self.short(i, covered[i], MONTH_GAP_DAYS)) {
            return vec![None; n];
        }
        // One reading day tells nothing of how often a device reports: nothing is judged.
        if covered.iter().map(|b| b.count_ones()).sum::<u32>() < 2 {
            return vec![None; n];
        }
        let limit = MONTH_GAP_DAYS.max(2 * self.usual_interval(covered));
        (0..n)
            .map(|i| {
                let bits = covered[i];
                if !self.short(i, bits, limit) {
                    return None;
                }
                let at = |d: i32| self.months[i].first.with().day(d as i8).build().ok();
                Some(Covered {
                    from: at(bits.trailing_zeros() as i32 + 1)?,
                    to: at(32 - bits.leading_zeros() as i32)?,
                })
            })
            .collect()
    }

    /// Month `i`'s readings (`bits`) stop more than `limit` days before its end, or pause
    /// longer than `limit` days inside it.
    fn short(&self, i: usize, bits: u32, limit: i32) -> bool {
        let m = self.months[i];
        if bits == 0 || m.end == 0 {
            return false;
        }
        let last = 32 - bits.leading_zeros() as i32;
        if m.end - last > limit {
            return true;
        }
        // A pause of more than `limit` days: `limit` days in a row without a reading
        // between two that have one.
        let span = bits >> bits.trailing_zeros();
        let mut run = !span & (u32::MAX >> span.leading_zeros());
        for _ in 1..limit {
            run &= run >> 1;
        }
        limit <= 31 && run != 0
    }

    /// The median number of days between consecutive reading days over the grid; 1 when
    /// there are fewer than two reading days.
    fn usual_interval(&self, covered: &[u32]) -> i32 {
        let mut previous: Option<i32> = None;
        let mut gaps: Vec<i32> = Vec::new();
        for (m, bits) in self.months.iter().zip(covered) {
            for d in days_of(*bits) {
                let day = m.start + d - 1;
                if let Some(prev) = previous {
                    gaps.push(day - prev);
                }
                previous = Some(day);
            }
        }
        if gaps.is_empty() {
            return 1;
        }
        let mid = gaps.len() / 2;
        *gaps.select_nth_unstable(mid).1.max(&mut 1)
    }
}

/// The median number of days between consecutive reading days over `months` (each a month
/// period with its bitmap); 1 when there are fewer than two reading days.
pub fn usual_interval_days(months: &[(Period, u32)]) -> i32 {
    let periods: Vec<Period> = months.iter().map(|(p, _)| *p).collect();
    let bits: Vec<u32> = months.iter().map(|(_, b)| *b).collect();
    MonthGrid::new(&periods, Date::MAX).usual_interval(&bits)
}

/// For each month of `months` (a device's bitmaps in period order), the days its readings
/// cover when the month is incomplete, else `None`. `today` is in the tenant's zone.
pub fn incomplete_months(months: &[(Period, u32)], today: Date) -> Vec<Option<Covered>> {
    let periods: Vec<Period> = months.iter().map(|(p, _)| *p).collect();
    let bits: Vec<u32> = months.iter().map(|(_, b)| *b).collect();
    MonthGrid::new(&periods, today).incomplete(&bits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The rule stated plainly, with dates: what the bit operations must agree with.
    fn naive(months: &[(Period, u32)], today: Date) -> Vec<Option<Covered>> {
        let days = |p: &Period, bits: u32| -> Vec<Date> {
            (1..=31)
                .filter(|d| bits >> (d - 1) & 1 != 0)
                .filter_map(|d| p.first_day().with().day(d as i8).build().ok())
                .collect()
        };
        let all: Vec<Date> = months.iter().flat_map(|(p, b)| days(p, *b)).collect();
        if all.len() < 2 {
            return vec![None; months.len()];
        }
        let mut gaps: Vec<i32> = all.windows(2).map(|w| (w[1] - w[0]).get_days()).collect();
        gaps.sort_unstable();
        let limit = MONTH_GAP_DAYS.max(2 * gaps[gaps.len() / 2].max(1));
        months
            .iter()
            .map(|(p, bits)| {
                let d = days(p, *bits);
                let (&from, &to) = (d.first()?, d.last()?);
                if p.first_day() > today {
                    return None;
                }
                let end = p.last_day().min(today);
                let short = (end - to).get_days() > limit
                    || d.windows(2).any(|w| (w[1] - w[0]).get_days() > limit);
                short.then_some(Covered { from, to })
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn the_bit_operations_agree_with_the_rule_stated_with_dates(
            bits in proptest::collection::vec(proptest::num::u32::ANY, 4),
            sparse in proptest::collection::vec(0u32..32, 4),
            today in 0i32..150,
        ) {
            let periods = ["2025-01", "2025-02", "2025-03", "2025-04"].map(month);
            let months: Vec<(Period, u32)> = periods
                .iter()
                .zip(bits.iter().zip(&sparse))
                .map(|(p, (b, s))| {
                    let len = p.last_day().day() as u32;
                    // Some months dense, some sparse, none beyond their length.
                    let b = if s % 3 == 0 { b & (b >> 1) & (b >> 2) } else { *b };
                    (*p, b & (u32::MAX >> (32 - len)))
                })
                .collect();
            let today = date(2025, 1, 1) + jiff::Span::new().days(today);
            proptest::prop_assert_eq!(incomplete_months(&months, today), naive(&months, today));
        }
    }

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
