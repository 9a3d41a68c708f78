//! The counters result of SPEC §7 and S13-S17, built one device at a time from roll-ups.
//!
//! A table is a [`TableShape`] (class, unit, kind, periods) and one [`DeviceRow`] per device.
//! Rows are built and handed out one by one ([`TableShape::device_row`]) so that a query over
//! ten thousand devices and 92 days can stream its answer instead of holding it; the
//! [`Totals`] accumulator adds each row as it passes.

use crate::counters::{CodecError, DeviceClass, KEY_COUNT, Key};
use crate::engine::{Kind, PeriodStats, decode_values};
use crate::period::{Period, Unit};

/// What a table covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableShape {
    pub class: DeviceClass,
    pub unit: Unit,
    pub kind: Kind,
    pub periods: Vec<Period>,
    /// Whether totals add the usage of a counter's first period (C5, its lifetime value).
    /// The cells show it either way, marked.
    pub oldest_in_totals: bool,
    /// The counters shown, in the class's order: all of the class unless a query asked
    /// for fewer.
    pub columns: Vec<Key>,
}

/// Values of every key of the class, in [`DeviceClass::keys`] order; `None` is "-".
pub type Cells = Vec<Option<i64>>;

/// One bit per column of a table's keys (at most [`KEY_COUNT`], fewer than 64).
pub type ColumnBits = u64;

/// One device over the table's periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// Per period: `None` when the device has no reading in it.
    pub cells: Vec<Option<Cells>>,
    /// Per period, the columns whose usage holds the counter's first reading (C5); usage
    /// only.
    pub oldest: Vec<ColumnBits>,
    /// Per period, the columns whose counter went down at a reading of the period (C6).
    pub reset: Vec<ColumnBits>,
    /// Per period of a monthly table, the days with a reading (bit `day - 1`); 0 unknown.
    pub covered: Vec<u32>,
    /// Per period of a monthly table, the days on which any counter went down (bit
    /// `day - 1`; [`crate::engine::PeriodStats::reset_days`]); 0 unknown or none.
    pub reset_days: Vec<u32>,
    /// Sum over the periods, for usage only (without the first-reading cells when the
    /// shape leaves them out).
    pub total: Option<Cells>,
    /// The total adds a first-reading (C5) value.
    pub total_includes_oldest: bool,
}

impl DeviceRow {
    /// A value of one key in one period.
    pub fn value(&self, period: usize, key_index: usize) -> Option<i64> {
        self.cells[period].as_ref().and_then(|c| c[key_index])
    }

    /// Some shown counter's first reading falls in the period (C5).
    pub fn is_oldest(&self, period: usize) -> bool {
        self.oldest[period] != 0
    }

    /// The cell of `key_index` in `period` holds its counter's first reading (C5).
    pub fn cell_oldest(&self, period: usize, key_index: usize) -> bool {
        self.oldest[period] >> key_index & 1 != 0
    }

    /// The counter of `key_index` went down in `period` (C6).
    pub fn cell_reset(&self, period: usize, key_index: usize) -> bool {
        self.reset[period] >> key_index & 1 != 0
    }
}

/// A table's columns by key id, for [`crate::engine::decode_values`].
pub fn columns_of(keys: &[Key]) -> [Option<u8>; KEY_COUNT] {
    let mut column = [None; KEY_COUNT];
    for (i, k) in keys.iter().enumerate() {
        column[k.id() as usize] = Some(i as u8);
    }
    column
}

/// Adds two optional values: a total adds the non-null values; all null gives null.
fn add(acc: &mut Option<i64>, v: Option<i64>) {
    if let Some(v) = v {
        *acc = Some(acc.unwrap_or(0) + v);
    }
}

impl TableShape {
    /// A table of every counter of the class, with first-reading values in the totals.
    pub fn new(class: DeviceClass, unit: Unit, kind: Kind, periods: Vec<Period>) -> TableShape {
        TableShape {
            class,
            unit,
            kind,
            periods,
            oldest_in_totals: true,
            columns: class.keys().to_vec(),
        }
    }

    pub fn keys(&self) -> &[Key] {
        &self.columns
    }

    /// Builds one device's row from its roll-ups, given as (period index, stats) pairs.
    pub fn device_row<'a>(
        &self,
        stats: impl IntoIterator<Item = (usize, &'a PeriodStats)>,
    ) -> DeviceRow {
        let keys = self.keys();
        let n = self.periods.len();
        let mut marks = Marks::new(n);
        let mut cells: Vec<Option<Cells>> = vec![None; n];
        for (i, s) in stats {
            // Stats are kept only for a period with a reading: it has a cell, as in
            // `device_row_encoded`, even with none of the shown counters.
            cells[i] = Some(keys.iter().map(|k| s.value(*k, self.kind)).collect());
            for (c, k) in keys.iter().enumerate() {
                if let Some(x) = s.get(*k) {
                    if self.kind == Kind::Usage && x.oldest {
                        marks.oldest[i] |= 1 << c;
                    }
                    if x.reset {
                        marks.reset[i] |= 1 << c;
                    }
                }
            }
            marks.covered[i] = s.covered();
            marks.reset_days[i] = s.reset_days();
        }
        self.finish_row(cells, marks)
    }

    /// The same row from stored stats ([`PeriodStats::encode`]), decoded straight into cells;
    /// `column` is [`columns_of`] of the shape's keys. A period's stats come in one piece or
    /// in two (a stored row's head and rest: [`crate::engine::split_encoded`]).
    pub fn device_row_encoded<'a>(
        &self,
        column: &[Option<u8>; KEY_COUNT],
        stats: impl IntoIterator<Item = (usize, &'a [u8], Option<&'a [u8]>)>,
    ) -> Result<DeviceRow, CodecError> {
        let n = self.periods.len();
        let width = self.keys().len();
        let mut cells: Vec<Option<Cells>> = vec![None; n];
        let mut marks = Marks::new(n);
        for (i, bytes, rest) in stats {
            // An entry is stored only for a period with a reading, and a reading has at least
            // one counter: the period has a cell even when none of the shown counters is in
            // it (a row's head holds the billing counters only, and may hold none).
            let mut c: Cells = vec![None; width];
            let mut found = decode_values(bytes, self.kind, column, &mut c)?;
            if let Some(rest) = rest {
                let more = decode_values(rest, self.kind, column, &mut c)?;
                found.oldest |= more.oldest;
                found.reset |= more.reset;
            }
            cells[i] = Some(c);
            if self.kind == Kind::Usage {
                marks.oldest[i] = found.oldest;
            }
            marks.reset[i] = found.reset;
            marks.covered[i] = found.covered;
            marks.reset_days[i] = found.reset_days;
        }
        Ok(self.finish_row(cells, marks))
    }

    fn finish_row(&self, cells: Vec<Option<Cells>>, marks: Marks) -> DeviceRow {
        let keys = self.keys();
        let mut total_includes_oldest = false;
        let total = (self.kind == Kind::Usage).then(|| {
            let mut t: Cells = vec![None; keys.len()];
            for (c, old) in cells.iter().zip(&marks.oldest) {
                let Some(c) = c else { continue };
                for (k, (acc, v)) in t.iter_mut().zip(c).enumerate() {
                    let oldest = old >> k & 1 != 0;
                    if oldest && !self.oldest_in_totals {
                        continue;
                    }
                    total_includes_oldest |= oldest && v.is_some();
                    add(acc, *v);
                }
            }
            t
        });
        DeviceRow {
            cells,
            oldest: marks.oldest,
            reset: marks.reset,
            covered: marks.covered,
            reset_days: marks.reset_days,
            total,
            total_includes_oldest,
        }
    }
}

/// A row's marks per period while it is built.
struct Marks {
    oldest: Vec<ColumnBits>,
    reset: Vec<ColumnBits>,
    covered: Vec<u32>,
    reset_days: Vec<u32>,
}

impl Marks {
    fn new(n: usize) -> Marks {
        Marks {
            oldest: vec![0; n],
            reset: vec![0; n],
            covered: vec![0; n],
            reset_days: vec![0; n],
        }
    }
}

/// The Total row (S13): sums per period and over all periods, for usage only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Per period: `None` when no device has a reading in it.
    pub periods: Vec<Option<Cells>>,
    /// Per period: its sum adds a first-reading (C5) value.
    pub period_includes_oldest: Vec<bool>,
    pub total: Cells,
    /// The grand total adds a first-reading (C5) value.
    pub includes_oldest: bool,
    oldest_in_totals: bool,
}

impl Totals {
    pub fn new(shape: &TableShape) -> Totals {
        Totals {
            periods: vec![None; shape.periods.len()],
            period_includes_oldest: vec![false; shape.periods.len()],
            total: vec![None; shape.keys().len()],
            includes_oldest: false,
            oldest_in_totals: shape.oldest_in_totals,
        }
    }

    pub fn add_row(&mut self, row: &DeviceRow) {
        for (p, (acc, cells)) in self.periods.iter_mut().zip(&row.cells).enumerate() {
            if let Some(cells) = cells {
                let acc = acc.get_or_insert_with(|| vec![None; cells.len()]);
                for (k, (a, v)) in acc.iter_mut().zip(cells).enumerate() {
                    let oldest = row.cell_oldest(p, k);
                    if oldest && !self.oldest_in_totals {
                        continue;
                    }
                    self.period_includes_oldest[p] |= oldest && v.is_some();
                    add(a, *v);
                }
            }
        }
        if let Some(t) = &row.total {
            for (a, v) in self.total.iter_mut().zip(t) {
                add(a, *v);
            }
            self.includes_oldest |= row.total_includes_oldest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::CounterSet;
    use crate::engine::Baseline;

    fn stats(total1: i64, base: Option<i64>) -> PeriodStats {
        let mut b = Baseline::default();
        if let Some(v) = base {
            b.advance(&PeriodStats::from_readings(
                [&CounterSet::new(vec![(Key::Total1, v)])],
                &Baseline::default(),
            ));
        }
        PeriodStats::from_readings([&CounterSet::new(vec![(Key::Total1, total1)])], &b)
    }

    fn shape(kind: Kind) -> TableShape {
        TableShape::new(
            DeviceClass::Lfp,
            Unit::Month,
            kind,
            ["2021-08", "2021-09", "2021-10"]
                .iter()
                .map(|p| Period::parse(p).unwrap())
                .collect(),
        )
    }

    #[test]
    fn a_usage_row_has_a_total_of_its_non_null_periods() {
        let s = shape(Kind::Usage);
        let a = stats(100, None);
        let c = stats(130, Some(100));
        let row = s.device_row([(0, &a), (2, &c)]);
        assert_eq!(row.value(0, 0), Some(100));
        assert_eq!(row.cells[1], None);
        assert_eq!(row.value(2, 0), Some(30));
        assert_eq!(row.oldest, [1, 0, 0]);
        assert_eq!(row.total.as_ref().unwrap()[0], Some(130));
        assert!(row.total_includes_oldest);
        // DUTY A was never reported: its total is null, not zero.
        assert_eq!(row.total.as_ref().unwrap()[1], None);
    }

    #[test]
    fn totals_can_leave_the_first_reading_values_out_and_say_whether_they_hold_one() {
        let s = TableShape {
            oldest_in_totals: false,
            ..shape(Kind::Usage)
        };
        let first = stats(100, None);
        let later = stats(130, Some(100));
        let young = s.device_row([(0, &first), (2, &later)]);
        assert_eq!(young.value(0, 0), Some(100), "the cell still shows it");
        assert_eq!(young.total.as_ref().unwrap()[0], Some(30));
        assert!(!young.total_includes_oldest);
        let (a, b) = (stats(455, Some(0)), stats(10385, Some(0)));
        let old = s.device_row([(0, &a), (1, &b)]);
        let mut t = Totals::new(&s);
        t.add_row(&young);
        t.add_row(&old);
        assert_eq!(t.periods[0].as_ref().unwrap()[0], Some(455));
        assert_eq!(t.total[0], Some(30 + 455 + 10385));
        assert!(!t.includes_oldest && t.period_includes_oldest == [false; 3]);

        let s = shape(Kind::Usage);
        let mut t = Totals::new(&s);
        t.add_row(&s.device_row([(0, &first), (2, &later)]));
        t.add_row(&s.device_row([(0, &a), (1, &b)]));
        assert_eq!(t.periods[0].as_ref().unwrap()[0], Some(555));
        assert!(t.includes_oldest && t.period_includes_oldest == [true, false, false]);
    }

    #[test]
    fn a_cumulative_row_has_no_total_and_no_oldest_mark() {
        let s = shape(Kind::Cumulative);
        let a = stats(100, None);
        let row = s.device_row([(0, &a)]);
        assert_eq!(row.value(0, 0), Some(100));
        assert_eq!(row.total, None);
        assert_eq!(row.oldest, [0, 0, 0]);
    }

    #[test]
    fn totals_add_the_devices_and_leave_empty_periods_null() {
        let s = shape(Kind::Usage);
        let (a, b) = (stats(455, Some(0)), stats(10385, Some(0)));
        let mut t = Totals::new(&s);
        t.add_row(&s.device_row([(0, &a)]));
        t.add_row(&s.device_row([(0, &b)]));
        t.add_row(&s.device_row([]));
        assert_eq!(t.periods[0].as_ref().unwrap()[0], Some(10840));
        assert_eq!(t.periods[1], None);
        assert_eq!(t.total[0], Some(10840));
    }
}
