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
}

/// Values of every key of the class, in [`DeviceClass::keys`] order; `None` is "-".
pub type Cells = Vec<Option<i64>>;

/// One device over the table's periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// Per period: `None` when the device has no reading in it.
    pub cells: Vec<Option<Cells>>,
    /// Per period: the usage holds a counter's first reading (C5).
    pub oldest: Vec<bool>,
    /// Sum over the periods, for usage only.
    pub total: Option<Cells>,
}

impl DeviceRow {
    /// A value of one key in one period.
    pub fn value(&self, period: usize, key_index: usize) -> Option<i64> {
        self.cells[period].as_ref().and_then(|c| c[key_index])
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
    pub fn keys(&self) -> &'static [Key] {
        self.class.keys()
    }

    /// Builds one device's row from its roll-ups, given as (period index, stats) pairs.
    pub fn device_row<'a>(
        &self,
        stats: impl IntoIterator<Item = (usize, &'a PeriodStats)>,
    ) -> DeviceRow {
        let keys = self.keys();
        let n = self.periods.len();
        let mut cells: Vec<Option<Cells>> = vec![None; n];
        let mut oldest = vec![false; n];
        for (i, s) in stats {
            if s.is_empty() {
                continue;
            }
            cells[i] = Some(keys.iter().map(|k| s.value(*k, self.kind)).collect());
            oldest[i] = self.kind == Kind::Usage
                && keys.iter().any(|k| s.get(*k).is_some_and(|x| x.oldest));
        }
        self.finish_row(cells, oldest)
    }

    /// The same row from stored stats ([`PeriodStats::encode`]), decoded straight into cells;
    /// `column` is [`columns_of`] of the shape's keys.
    pub fn device_row_encoded<'a>(
        &self,
        column: &[Option<u8>; KEY_COUNT],
        stats: impl IntoIterator<Item = (usize, &'a [u8])>,
    ) -> Result<DeviceRow, CodecError> {
        let n = self.periods.len();
        let width = self.keys().len();
        let mut cells: Vec<Option<Cells>> = vec![None; n];
        let mut oldest = vec![false; n];
        for (i, bytes) in stats {
            let mut c: Cells = vec![None; width];
            let (any, old) = decode_values(bytes, self.kind, column, &mut c)?;
            if any {
                cells[i] = Some(c);
                oldest[i] = self.kind == Kind::Usage && old;
            }
        }
        Ok(self.finish_row(cells, oldest))
    }

    fn finish_row(&self, cells: Vec<Option<Cells>>, oldest: Vec<bool>) -> DeviceRow {
        let keys = self.keys();
        let total = (self.kind == Kind::Usage).then(|| {
            let mut t: Cells = vec![None; keys.len()];
            for c in cells.iter().flatten() {
                for (acc, v) in t.iter_mut().zip(c) {
                    add(acc, *v);
                }
            }
            t
        });
        DeviceRow {
            cells,
            oldest,
            total,
        }
    }
}

/// The Total row (S13): sums per period and over all periods, for usage only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Per period: `None` when no device has a reading in it.
    pub periods: Vec<Option<Cells>>,
    pub total: Cells,
}

impl Totals {
    pub fn new(shape: &TableShape) -> Totals {
        Totals {
            periods: vec![None; shape.periods.len()],
            total: vec![None; shape.keys().len()],
        }
    }

    pub fn add_row(&mut self, row: &DeviceRow) {
        for (acc, cells) in self.periods.iter_mut().zip(&row.cells) {
            if let Some(cells) = cells {
                let acc = acc.get_or_insert_with(|| vec![None; cells.len()]);
                for (a, v) in acc.iter_mut().zip(cells) {
                    add(a, *v);
                }
            }
        }
        if let Some(t) = &row.total {
            for (a, v) in self.total.iter_mut().zip(t) {
                add(a, *v);
            }
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
        TableShape {
            class: DeviceClass::Lfp,
            unit: Unit::Month,
            kind,
            periods: ["2021-08", "2021-09", "2021-10"]
                .iter()
                .map(|p| Period::parse(p).unwrap())
                .collect(),
        }
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
        assert_eq!(row.oldest, [true, false, false]);
        assert_eq!(row.total.as_ref().unwrap()[0], Some(130));
        // DUTY A was never reported: its total is null, not zero.
        assert_eq!(row.total.as_ref().unwrap()[1], None);
    }

    #[test]
    fn a_cumulative_row_has_no_total_and_no_oldest_mark() {
        let s = shape(Kind::Cumulative);
        let a = stats(100, None);
        let row = s.device_row([(0, &a)]);
        assert_eq!(row.value(0, 0), Some(100));
        assert_eq!(row.total, None);
        assert_eq!(row.oldest, [false, false, false]);
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
