//! Days and months in a tenant's time zone (SPEC T3), and the S12 range limits.
//!
//! A period is a calendar day or month **in the tenant's time zone**: the same reading falls
//! in the same period for every user of the company. A day is not always 24 hours: in a zone
//! with daylight saving time it has 23 or 25, which is why bounds come from the zone's rules
//! and never from adding 86,400 seconds.
//!
//! Storage keys periods by plain integers that sort like the periods: `yyyymmdd` for days and
//! `yyyymm` for months.

use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Aggregation unit (S12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Day,
    Month,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<Unit> {
        match s {
            "day" => Some(Unit::Day),
            "month" => Some(Unit::Month),
            _ => None,
        }
    }
}

/// A calendar day or month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Day(Date),
    /// Always the first day of the month.
    Month(Date),
}

impl Period {
    pub fn month(year: i16, month: i8) -> Option<Period> {
        Date::new(year, month, 1).ok().map(Period::Month)
    }

    pub fn unit(self) -> Unit {
        match self {
            Period::Day(_) => Unit::Day,
            Period::Month(_) => Unit::Month,
        }
    }

    /// The first day of the period.
    pub fn first_day(self) -> Date {
        match self {
            Period::Day(d) | Period::Month(d) => d,
        }
    }

    /// The last day of the period.
    pub fn last_day(self) -> Date {
        match self {
            Period::Day(d) => d,
            Period::Month(d) => d.last_of_month(),
        }
    }

    /// The storage key: `yyyymmdd` for a day, `yyyymm` for a month.
    pub fn id(self) -> i64 {
        match self {
            Period::Day(d) => day_id(d),
            Period::Month(d) => month_id(d),
        }
    }

    pub fn from_id(unit: Unit, id: i64) -> Option<Period> {
        match unit {
            Unit::Day => {
                let d = Date::new(
                    (id / 10000) as i16,
                    (id / 100 % 100) as i8,
                    (id % 100) as i8,
                )
                .ok()?;
                Some(Period::Day(d))
            }
            Unit::Month => Period::month((id / 100) as i16, (id % 100) as i8),
        }
    }

    /// Parses `YYYY-MM` as a month or `YYYY-MM-DD` as a day.
    pub fn parse(s: &str) -> Option<Period> {
        let b = s.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i32> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        match b.len() {
            7 if b[4] == b'-' => Period::month(num(0..4)? as i16, num(5..7)? as i8),
            10 if b[4] == b'-' && b[7] == b'-' => {
                Date::new(num(0..4)? as i16, num(5..7)? as i8, num(8..10)? as i8)
                    .ok()
                    .map(Period::Day)
            }
            _ => None,
        }
    }

    /// The next period of the same unit.
    pub fn next(self) -> Period {
        match self {
            Period::Day(d) => Period::Day(d.tomorrow().expect("date in range")),
            Period::Month(d) => {
                Period::Month(d.checked_add(Span::new().months(1)).expect("date in range"))
            }
        }
    }

    /// Start (inclusive) and end (exclusive) of the period in the zone, as UTC milliseconds.
    pub fn bounds_ms(self, tz: &TimeZone) -> (i64, i64) {
        let start = day_start_ms(self.first_day(), tz);
        let end = day_start_ms(self.last_day().tomorrow().expect("date in range"), tz);
        (start, end)
    }

    /// The days of the period, in order.
    pub fn days(self) -> impl Iterator<Item = Date> {
        let last = self.last_day();
        let mut d = Some(self.first_day());
        std::iter::from_fn(move || {
            let cur = d?;
            d = if cur < last {
                cur.tomorrow().ok()
            } else {
                None
            };
            Some(cur)
        })
    }
}

impl fmt::Display for Period {
    /// `2021-08` for a month, `2021-08-01` for a day: the labels of the API.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Day(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            Period::Month(d) => write!(f, "{:04}-{:02}", d.year(), d.month()),
        }
    }
}

pub fn day_id(d: Date) -> i64 {
    d.year() as i64 * 10000 + d.month() as i64 * 100 + d.day() as i64
}

pub fn month_id(d: Date) -> i64 {
    d.year() as i64 * 100 + d.month() as i64
}

/// The month (`yyyymm`) a day (`yyyymmdd`) belongs to.
pub fn month_of_day_id(day: i64) -> i64 {
    day / 100
}

/// The calendar day, in the zone, at which an instant falls.
pub fn day_of_ms(ms: i64, tz: &TimeZone) -> Date {
    let ts = Timestamp::from_millisecond(ms).expect("timestamp in range");
    ts.to_zoned_datetime(tz.clone()).date()
}

/// The instant at which a calendar day starts in the zone (usually midnight; the first
/// existing instant of the day where a DST change skips midnight).
pub fn day_start_ms(d: Date, tz: &TimeZone) -> i64 {
    d.to_zoned_datetime(tz.clone())
        .expect("date in range")
        .timestamp()
        .as_millisecond()
}

/// A validated period range of the counters form (S12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRange {
    pub unit: Unit,
    pub from: Period,
    pub to: Period,
}

/// The longest monthly range: twelve whole calendar months.
pub const MAX_MONTHS: usize = 12;
/// The longest daily range: three calendar months (end at most start + 3 months - 1 day).
pub const MAX_DAY_MONTHS: i32 = 3;

/// Why a range was refused, with what a message needs to name the limit, as S12 asks
/// ([`MAX_MONTHS`], [`MAX_DAY_MONTHS`]); `portal::i18n` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// `field` is not a period of `unit` (`YYYY-MM` or `YYYY-MM-DD`).
    Format {
        field: &'static str,
        unit: Unit,
    },
    EndBeforeStart,
    TooManyMonths,
    /// `max_end`: the last day the range may end on, `YYYY-MM-DD`.
    TooManyDays {
        max_end: String,
    },
}

impl RangeError {
    pub fn field(&self) -> &'static str {
        match self {
            RangeError::Format { field, .. } => field,
            _ => "to",
        }
    }
}

impl PeriodRange {
    /// Parses and checks a range: `YYYY-MM` bounds for months, `YYYY-MM-DD` for days.
    pub fn parse(unit: Unit, from: &str, to: &str) -> Result<PeriodRange, RangeError> {
        let parse = |s: &str, field: &'static str| {
            Period::parse(s)
                .filter(|p| p.unit() == unit)
                .ok_or(RangeError::Format { field, unit })
        };
        let from = parse(from, "from")?;
        let to = parse(to, "to")?;
        PeriodRange::new(unit, from, to)
    }

    pub fn new(unit: Unit, from: Period, to: Period) -> Result<PeriodRange, RangeError> {
        if to < from {
            return Err(RangeError::EndBeforeStart);
        }
        match unit {
            Unit::Month => {
                let months = (to.first_day().year() as i32 - from.first_day().year() as i32) * 12
                    + (to.first_day().month() as i32 - from.first_day().month() as i32)
                    + 1;
                if months as usize > MAX_MONTHS {
                    return Err(RangeError::TooManyMonths);
                }
            }
            Unit::Day => {
                let max_end = from
                    .first_day()
                    .checked_add(Span::new().months(MAX_DAY_MONTHS))
                    .and_then(|d| d.yesterday())
                    .expect("date in range");
                if to.first_day() > max_end {
                    return Err(RangeError::TooManyDays {
                        max_end: Period::Day(max_end).to_string(),
                    });
                }
            }
        }
        Ok(PeriodRange { unit, from, to })
    }

    /// One period only (the `period=` drill-down).
    pub fn single(p: Period) -> PeriodRange {
        PeriodRange {
            unit: p.unit(),
            from: p,
            to: p,
        }
    }

    pub fn periods(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = self.from;
        while p <= self.to {
            out.push(p);
            p = p.next();
        }
        out
    }

    /// The range in UTC milliseconds, start inclusive, end exclusive.
    pub fn bounds_ms(&self, tz: &TimeZone) -> (i64, i64) {
        (self.from.bounds_ms(tz).0, self.to.bounds_ms(tz).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    #[test]
    fn a_reading_falls_on_the_tenant_s_calendar_day() {
        // 2021-08-31 16:30 UTC is already September 1st in Tokyo.
        let ms = "2021-08-31T16:30:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_millisecond();
        assert_eq!(day_of_ms(ms, &tz("Asia/Tokyo")), date(2021, 9, 1));
        assert_eq!(day_of_ms(ms, &tz("Europe/Berlin")), date(2021, 8, 31));
    }

    #[test]
    fn days_with_a_dst_change_have_23_or_25_hours() {
        let berlin = tz("Europe/Berlin");
        let (s, e) = Period::Day(date(2021, 3, 28)).bounds_ms(&berlin);
        assert_eq!(e - s, 23 * 3_600_000);
        let (s, e) = Period::Day(date(2021, 10, 31)).bounds_ms(&berlin);
        assert_eq!(e - s, 25 * 3_600_000);
        let (s, e) = Period::Day(date(2021, 10, 31)).bounds_ms(&tz("Asia/Tokyo"));
        assert_eq!(e - s, 24 * 3_600_000);
    }

    #[test]
    fn periods_parse_print_and_map_to_sortable_ids() {
        let m = Period::parse("2021-08").unwrap();
        assert_eq!(m.to_string(), "2021-08");
        assert_eq!(m.id(), 202108);
        assert_eq!(Period::from_id(Unit::Month, 202108), Some(m));
        let d = Period::parse("2021-02-28").unwrap();
        assert_eq!(d.id(), 20210228);
        assert_eq!(d.next().to_string(), "2021-03-01");
        assert_eq!(Period::parse("2021-02-29"), None);
        assert_eq!(Period::parse("2021-13"), None);
        assert_eq!(Period::parse("2021-1-01"), None);
        assert_eq!(Period::parse("+021-01"), None);
        assert_eq!(
            Period::parse("2021-12").unwrap().next().to_string(),
            "2022-01"
        );
        assert_eq!(m.days().count(), 31);
    }

    #[test]
    fn a_monthly_range_is_at_most_twelve_months() {
        assert!(PeriodRange::parse(Unit::Month, "2021-01", "2021-12").is_ok());
        assert_eq!(
            PeriodRange::parse(Unit::Month, "2021-01", "2022-01"),
            Err(RangeError::TooManyMonths)
        );
        assert_eq!(
            PeriodRange::parse(Unit::Month, "2021-05", "2021-04"),
            Err(RangeError::EndBeforeStart)
        );
        assert!(matches!(
            PeriodRange::parse(Unit::Month, "2021-05-01", "2021-06"),
            Err(RangeError::Format { field: "from", .. })
        ));
        let r = PeriodRange::parse(Unit::Month, "2021-08", "2021-11").unwrap();
        let labels: Vec<String> = r.periods().iter().map(|p| p.to_string()).collect();
        assert_eq!(labels, ["2021-08", "2021-09", "2021-10", "2021-11"]);
    }

    #[test]
    fn a_daily_range_ends_at_most_three_months_less_a_day_after_its_start() {
        assert!(PeriodRange::parse(Unit::Day, "2021-08-01", "2021-10-31").is_ok());
        assert_eq!(
            PeriodRange::parse(Unit::Day, "2021-08-01", "2021-11-01"),
            Err(RangeError::TooManyDays {
                max_end: "2021-10-31".into()
            })
        );
        // From the 30th of November the end is the 27th of February (no 30th in February).
        assert!(PeriodRange::parse(Unit::Day, "2021-11-30", "2022-02-27").is_ok());
        assert!(PeriodRange::parse(Unit::Day, "2021-11-30", "2022-02-28").is_err());
        assert_eq!(
            PeriodRange::parse(Unit::Day, "2021-08-01", "2021-10-31")
                .unwrap()
                .periods()
                .len(),
            92
        );
    }
}
