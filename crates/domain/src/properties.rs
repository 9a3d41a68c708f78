//! The engine against the naive oracle on random histories, and against the seed's tables.

use jiff::civil::date;
use jiff::tz::TimeZone;
use proptest::prelude::*;

use crate::counters::{CounterSet, DeviceClass, Key};
use crate::engine::{History, Kind, step};
use crate::oracle;
use crate::period::{Period, PeriodRange, Unit, day_start_ms};
use crate::table::{TableShape, Totals};

const KEYS: [Key; 3] = [Key::Total1, Key::Color, Key::Scan];

/// A random history of one device: about four months of readings around Berlin's DST
/// changes, counters that grow, sometimes reset, and sometimes are missing from a reading.
fn history() -> impl Strategy<Value = Vec<(i64, CounterSet)>> {
    let start = day_start_ms(date(2021, 2, 20), &TimeZone::get("Europe/Berlin").unwrap());
    prop::collection::vec(
        (
            0i64..120 * 24 * 60,                            // minute offset
            prop::collection::vec((0u8..20, 0i64..500), 3), // per key: event, growth
        ),
        0..40,
    )
    .prop_map(move |raw| {
        let mut minutes: Vec<(i64, Vec<(u8, i64)>)> = raw;
        minutes.sort_by_key(|(m, _)| *m);
        minutes.dedup_by_key(|(m, _)| *m);
        let mut values = [1000i64, 300, 50];
        minutes
            .into_iter()
            .map(|(m, ev)| {
                let mut pairs = Vec::new();
                for (i, (event, growth)) in ev.into_iter().enumerate() {
                    match event {
                        0 => values[i] = growth, // reset to a small value
                        1 => continue,           // not reported in this reading
                        _ => values[i] += growth,
                    }
                    pairs.push((KEYS[i], values[i]));
                }
                (start + m * 60_000, CounterSet::new(pairs))
            })
            .collect()
    })
}

fn zones() -> impl Strategy<Value = TimeZone> {
    prop_oneof![
        Just(TimeZone::get("Europe/Berlin").unwrap()),
        Just(TimeZone::get("Asia/Tokyo").unwrap()),
        Just(TimeZone::get("America/New_York").unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn roll_ups_equal_the_naive_oracle_for_every_day_and_month(
        readings in history(), tz in zones()
    ) {
        let h = History::roll_up(&readings, &tz);
        let months = PeriodRange::parse(Unit::Month, "2021-02", "2021-07").unwrap().periods();
        let days = PeriodRange::parse(Unit::Day, "2021-02-19", "2021-05-18").unwrap().periods();
        for (periods, map) in [(&months, &h.months), (&days, &h.days)] {
            for p in periods {
                let stats = map.get(&p.id());
                for key in KEYS {
                    for kind in [Kind::Usage, Kind::Cumulative] {
                        let (want, oldest) = oracle::value(&readings, &tz, *p, key, kind);
                        let got = stats.and_then(|s| s.value(key, kind));
                        prop_assert_eq!(got, want, "{} {} {:?}", p, key, kind);
                        if kind == Kind::Usage {
                            let got_oldest = stats.and_then(|s| s.get(key)).is_some_and(|s| s.oldest);
                            prop_assert_eq!(got_oldest, oldest, "oldest {} {}", p, key);
                        }
                    }
                    let got_reset = stats.and_then(|s| s.get(key)).is_some_and(|s| s.reset);
                    prop_assert_eq!(got_reset, oracle::reset(&readings, &tz, *p, key), "reset {} {}", p, key);
                }
            }
        }
        for p in &months {
            let got = h.months.get(&p.id()).map_or(0, |s| s.covered());
            prop_assert_eq!(got, oracle::covered_days(&readings, &tz, *p), "days of {}", p);
        }
    }

    #[test]
    fn a_row_decoded_straight_from_storage_equals_the_row_from_decoded_stats(
        readings in history(), tz in zones()
    ) {
        let h = History::roll_up(&readings, &tz);
        for kind in [Kind::Usage, Kind::Cumulative] {
            for class in [DeviceClass::Mfp, DeviceClass::Lfp] {
                let shape = TableShape::new(
                    class,
                    Unit::Day,
                    kind,
                    PeriodRange::parse(Unit::Day, "2021-02-19", "2021-05-18")
                        .unwrap()
                        .periods(),
                );
                let stats: Vec<(usize, &crate::engine::PeriodStats)> = shape
                    .periods
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| h.days.get(&p.id()).map(|s| (i, s)))
                    .collect();
                // Every other period as a stored row keeps it: in a head and a rest.
                let encoded: Vec<(usize, Vec<u8>, Option<Vec<u8>>)> = stats
                    .iter()
                    .map(|(i, s)| {
                        if i % 2 == 0 {
                            return (*i, s.encode(), None);
                        }
                        let (mut head, mut rest) = (Vec::new(), Vec::new());
                        crate::engine::split_encoded(
                            &s.encode(),
                            crate::counters::BILLING_KEYS,
                            &mut head,
                            &mut rest,
                        )
                        .unwrap();
                        (*i, head, Some(rest))
                    })
                    .collect();
                let column = crate::table::columns_of(shape.keys());
                let fast = shape
                    .device_row_encoded(
                        &column,
                        encoded
                            .iter()
                            .map(|(i, b, r)| (*i, b.as_slice(), r.as_deref())),
                    )
                    .unwrap();
                prop_assert_eq!(fast, shape.device_row(stats.iter().map(|(i, s)| (*i, *s))));
            }
        }
    }

    #[test]
    fn usage_over_any_range_equals_the_growth_counted_across_resets(
        readings in history(), tz in zones(), a in 0usize..6, len in 1usize..6
    ) {
        let h = History::roll_up(&readings, &tz);
        let all = PeriodRange::parse(Unit::Month, "2021-02", "2021-07").unwrap().periods();
        let range = &all[a.min(5)..(a + len).min(6)];
        let (start, end) = (range[0].bounds_ms(&tz).0, range[range.len() - 1].bounds_ms(&tz).1);
        for key in KEYS {
            let mut series: Vec<(i64, i64)> = readings
                .iter()
                .filter_map(|(at, c)| c.get(key).map(|v| (*at, v)))
                .collect();
            series.sort();
            let mut growth = 0;
            let mut prev = 0;
            for (at, v) in series {
                if at >= start && at < end {
                    growth += step(prev, v);
                }
                prev = v;
            }
            let usage: i64 = range
                .iter()
                .filter_map(|p| h.months.get(&p.id()).and_then(|s| s.value(key, Kind::Usage)))
                .sum();
            prop_assert_eq!(usage, growth);
            prop_assert!(usage >= 0);
        }
    }
}

// ---- The seed's tables (chapters 4 and 5 of the manual) ----

/// The seed's first device: cumulative values at the end of each month from chapter 5,
/// July's derived from chapter 4's August usage, and a mid-November reading matching the
/// November column of chapter 4, which was captured mid-month.
fn seed_device() -> Vec<(i64, CounterSet)> {
    use Key::*;
    let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
    let keys = [
        Total1, Color, Mono, Scan, ColorLarge, ColorSmall, MonoLarge, MonoSmall, PaperA3, PaperA4,
        PaperB4, PaperB5, ColorCopy, ColorPrint, MonoCopy, MonoPrint, Copy, Receive, Print,
        ScanSend, Duplex,
    ];
    let rows: [(jiff::civil::Date, [i64; 21]); 6] = [
        (
            date(2021, 7, 31),
            [
                177556, 61753, 115803, 15950, 3010, 58743, 11212, 104591, 14196, 162443, 0, 0,
                1452, 60301, 4937, 110866, 6389, 7197, 163970, 13214, 50708,
            ],
        ),
        (
            date(2021, 8, 31),
            [
                178011, 61836, 116175, 15970, 3010, 58826, 11246, 104929, 14230, 162864, 0, 0,
                1452, 60384, 4942, 111233, 6394, 7197, 164420, 13229, 50838,
            ],
        ),
        (
            date(2021, 9, 30),
            [
                178388, 61867, 116521, 15991, 3010, 58857, 11273, 105248, 14257, 163214, 0, 0,
                1452, 60415, 4943, 111578, 6395, 7197, 164796, 13248, 50921,
            ],
        ),
        (
            date(2021, 10, 31),
            [
                178742, 61938, 116804, 16006, 3010, 58928, 11287, 105517, 14271, 163554, 0, 0,
                1452, 60486, 4947, 111857, 6399, 7197, 165146, 13258, 51027,
            ],
        ),
        (
            date(2021, 11, 15),
            [
                179246, 62006, 117240, 16076, 3012, 58994, 11294, 105946, 14284, 164045, 0, 0,
                1452, 60554, 5001, 112239, 6453, 7197, 165604, 13275, 51200,
            ],
        ),
        (
            date(2021, 11, 30),
            [
                179465, 62216, 117249, 16081, 3012, 59204, 11298, 105951, 14284, 164264, 0, 0,
                1452, 60764, 5001, 112248, 6453, 7197, 165815, 13275, 51264,
            ],
        ),
    ];
    rows.iter()
        .map(|(d, vals)| {
            // Readings at 18:00 Tokyo time.
            let at = day_start_ms(*d, &tokyo) + 18 * 3_600_000;
            (
                at,
                CounterSet::new(keys.iter().copied().zip(vals.iter().copied()).collect()),
            )
        })
        .collect()
}

fn monthly(readings: &[(i64, CounterSet)], kind: Kind, keys: &[Key]) -> Vec<Vec<Option<i64>>> {
    let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
    let h = History::roll_up(readings, &tokyo);
    ["2021-11", "2021-10", "2021-09", "2021-08"]
        .iter()
        .map(|m| {
            let s = &h.months[&Period::parse(m).unwrap().id()];
            keys.iter().map(|k| s.value(*k, kind)).collect()
        })
        .collect()
}

fn rows(table: &[&[i64]]) -> Vec<Vec<Option<i64>>> {
    table
        .iter()
        .map(|r| r.iter().map(|v| Some(*v)).collect())
        .collect()
}

#[test]
fn the_seed_s_cumulative_tables_of_chapter_5_come_out_as_printed() {
    use Key::*;
    let r = seed_device();
    let counter = [
        Total1, Color, Mono, Scan, ColorLarge, ColorSmall, MonoLarge, MonoSmall,
    ];
    assert_eq!(
        monthly(&r, Kind::Cumulative, &counter),
        rows(&[
            &[179465, 62216, 117249, 16081, 3012, 59204, 11298, 105951],
            &[178742, 61938, 116804, 16006, 3010, 58928, 11287, 105517],
            &[178388, 61867, 116521, 15991, 3010, 58857, 11273, 105248],
            &[178011, 61836, 116175, 15970, 3010, 58826, 11246, 104929],
        ])
    );
    assert_eq!(
        monthly(
            &r,
            Kind::Cumulative,
            &[Total1, Copy, Receive, Print, ScanSend, Duplex]
        ),
        rows(&[
            &[179465, 6453, 7197, 165815, 13275, 51264],
            &[178742, 6399, 7197, 165146, 13258, 51027],
            &[178388, 6395, 7197, 164796, 13248, 50921],
            &[178011, 6394, 7197, 164420, 13229, 50838],
        ])
    );
}

#[test]
fn the_seed_s_usage_tables_of_chapter_4_come_out_as_printed() {
    use Key::*;
    let all = seed_device();
    // Chapter 4's counter, paper-size and colour-mode tabs were captured on November 15th.
    let mid_november = &all[..5];
    assert_eq!(
        monthly(
            mid_november,
            Kind::Usage,
            &[Total1, Color, Mono, Scan, ColorLarge, ColorSmall]
        ),
        rows(&[
            &[504, 68, 436, 70, 2, 66],
            &[354, 71, 283, 15, 0, 71],
            &[377, 31, 346, 21, 0, 31],
            &[455, 83, 372, 20, 0, 83],
        ])
    );
    assert_eq!(
        monthly(
            mid_november,
            Kind::Usage,
            &[Total1, PaperA3, PaperA4, PaperB4, PaperB5]
        ),
        rows(&[
            &[504, 13, 491, 0, 0],
            &[354, 14, 340, 0, 0],
            &[377, 27, 350, 0, 0],
            &[455, 34, 421, 0, 0],
        ])
    );
    assert_eq!(
        monthly(
            mid_november,
            Kind::Usage,
            &[Total1, ColorCopy, ColorPrint, MonoCopy, MonoPrint]
        ),
        rows(&[
            &[504, 0, 68, 54, 382],
            &[354, 0, 71, 4, 279],
            &[377, 0, 31, 1, 345],
            &[455, 0, 83, 5, 367],
        ])
    );
    // Its function tab was captured at the end of November: 723, as chapter 5 implies.
    assert_eq!(
        monthly(
            &all,
            Kind::Usage,
            &[Total1, Copy, Receive, Print, ScanSend, Duplex]
        ),
        rows(&[
            &[723, 54, 0, 669, 17, 237],
            &[354, 4, 0, 350, 10, 106],
            &[377, 1, 0, 376, 19, 83],
            &[455, 5, 0, 450, 15, 130],
        ])
    );
}

#[test]
fn the_seed_s_function_table_total_row_is_the_sum_of_its_months() {
    use Key::*;
    let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
    let h = History::roll_up(&seed_device(), &tokyo);
    let shape = TableShape::new(
        DeviceClass::Mfp,
        Unit::Month,
        Kind::Usage,
        PeriodRange::parse(Unit::Month, "2021-08", "2021-11")
            .unwrap()
            .periods(),
    );
    let row = shape.device_row(
        shape
            .periods
            .iter()
            .enumerate()
            .filter_map(|(i, p)| h.months.get(&p.id()).map(|s| (i, s))),
    );
    let total = row.total.unwrap();
    let idx = |k: Key| shape.keys().iter().position(|x| *x == k).unwrap();
    let got: Vec<Option<i64>> = [Total1, Copy, Receive, Print, ScanSend, Duplex]
        .iter()
        .map(|k| total[idx(*k)])
        .collect();
    assert_eq!(
        got,
        [
            Some(1909),
            Some(64),
            Some(0),
            Some(1845),
            Some(61),
            Some(556)
        ]
    );
    assert_eq!(
        row.oldest, [0; 4],
        "July's reading is the baseline of August"
    );
}

#[test]
fn the_seed_s_month_detail_total_row_adds_the_devices() {
    use Key::*;
    // Chapter 4-3: August usage of the first three devices, each starting from zero on
    // July 31st so that the whole counter growth is August's.
    let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
    let devices: [[i64; 8]; 3] = [
        [455, 83, 372, 20, 0, 83, 34, 338],
        [10385, 2430, 7955, 1441, 14, 2416, 417, 7538],
        [999, 389, 610, 72, 50, 339, 209, 401],
    ];
    let counter = [
        Total1, Color, Mono, Scan, ColorLarge, ColorSmall, MonoLarge, MonoSmall,
    ];
    let shape = TableShape::new(
        DeviceClass::Mfp,
        Unit::Month,
        Kind::Usage,
        vec![Period::parse("2021-08").unwrap()],
    );
    let mut totals = Totals::new(&shape);
    for d in devices {
        let readings = vec![
            (
                day_start_ms(date(2021, 7, 31), &tokyo),
                CounterSet::new(counter.iter().map(|k| (*k, 0)).collect()),
            ),
            (
                day_start_ms(date(2021, 8, 20), &tokyo),
                CounterSet::new(counter.iter().copied().zip(d).collect()),
            ),
        ];
        let h = History::roll_up(&readings, &tokyo);
        let row = shape.device_row([(0, &h.months[&202108])]);
        assert_eq!(row.cells[0].as_ref().unwrap()[..8], d.map(Some));
        totals.add_row(&row);
    }
    let sum = totals.periods[0].as_ref().unwrap();
    assert_eq!(
        sum[..8],
        [11839, 2902, 8937, 1533, 64, 2838, 660, 8277].map(Some)
    );
}
