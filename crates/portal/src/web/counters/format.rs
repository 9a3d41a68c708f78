//! How the counter screens write numbers and periods for a person (S13-S17, S25).
//!
//! Numbers are the CSV's numbers (C8) with thousands separators added: the CSV writes
//! `178011` and `12.5`, the screen `178,011` and `12.5`. The digits come from
//! [`format_value`], so a value can never differ between the two, only its grouping.
//!
//! Periods: Japanese users read `2021/08` and `2021/08/01` (the seed's own headings); English
//! users get the month's name, which no reader can take for a day (is `08/01` the 8th of
//! January or the 1st of August?), in the order of their region (S25: `Aug 1, 2021` in the
//! United States, `1 Aug 2021` elsewhere).

use jiff::civil::{Date, Weekday};
use meterport_domain::counters::DeviceClass;
use meterport_domain::device::LfpUnit;
use meterport_domain::labels::Lang;
use meterport_domain::period::Period;

use crate::i18n;

pub use crate::web::widgets::{number, number_shown};

/// A value or the "-" of S20, with the fixed decimals of its unit.
pub fn cell(v: Option<i64>, class: DeviceClass, unit: Option<LfpUnit>) -> String {
    v.map_or_else(|| "-".to_string(), |v| number_shown(v, class, unit))
}

pub use crate::period_words::{day, day_short, month, period};

/// The short weekday shown under a day (usage drops at weekends; the reader should see why).
pub fn weekday(d: Date, lang: Lang) -> String {
    let id = match d.weekday() {
        Weekday::Monday => "weekday-mon",
        Weekday::Tuesday => "weekday-tue",
        Weekday::Wednesday => "weekday-wed",
        Weekday::Thursday => "weekday-thu",
        Weekday::Friday => "weekday-fri",
        Weekday::Saturday => "weekday-sat",
        Weekday::Sunday => "weekday-sun",
    };
    i18n::t(lang, id)
}

/// Saturday and Sunday, which the daily table shades.
pub fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// A range as the seed writes it (`2021/08~2021/11`); one period alone when both ends agree.
pub fn range(from: Period, to: Period, lang: Lang, locale: &str) -> String {
    let (a, b) = (period(from, lang, locale), period(to, lang, locale));
    if from == to {
        return a;
    }
    match lang {
        Lang::Ja => format!("{a}~{b}"),
        Lang::En => format!("{a} – {b}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn numbers_get_thousands_separators_and_keep_their_decimals() {
        assert_eq!(number(0, DeviceClass::Mfp), "0");
        assert_eq!(number(455, DeviceClass::Mfp), "455");
        assert_eq!(number(1909, DeviceClass::Mfp), "1,909");
        assert_eq!(number(178011, DeviceClass::Mfp), "178,011");
        assert_eq!(number(2_976_187, DeviceClass::Mfp), "2,976,187");
        // LFP values are thousandths of the device's unit.
        assert_eq!(number(12_500, DeviceClass::Lfp), "12.5");
        assert_eq!(number(1_234_567, DeviceClass::Lfp), "1,234.567");
        assert_eq!(number(1_000_000, DeviceClass::Lfp), "1,000");
        assert_eq!(cell(None, DeviceClass::Mfp, None), "-");
        // A column of one unit has that unit's decimals, aligned.
        let m2 = Some(LfpUnit::M2);
        assert_eq!(cell(Some(225_600), DeviceClass::Lfp, m2), "225.60");
        assert_eq!(cell(Some(1_234_567), DeviceClass::Lfp, m2), "1,234.57");
        assert_eq!(
            cell(Some(225_600), DeviceClass::Lfp, Some(LfpUnit::A4)),
            "226"
        );
    }

    #[test]
    fn periods_read_as_the_seed_in_japanese_and_unambiguously_in_english() {
        let aug = Period::Month(date(2021, 8, 1));
        assert_eq!(period(aug, Lang::Ja, "ja-JP"), "2021/08");
        assert_eq!(period(aug, Lang::En, "en-GB"), "Aug 2021");
        let d = Period::Day(date(2021, 8, 1));
        assert_eq!(period(d, Lang::Ja, "ja-JP"), "2021/08/01");
        assert_eq!(period(d, Lang::En, "en-US"), "Aug 1, 2021");
        assert_eq!(period(d, Lang::En, "en-GB"), "1 Aug 2021");
        assert_eq!(day_short(date(2021, 8, 1), Lang::Ja, "ja-JP"), "08/01");
        assert_eq!(day_short(date(2021, 8, 1), Lang::En, "en-US"), "Aug 1");
        assert_eq!(day_short(date(2021, 8, 1), Lang::En, "en-AU"), "1 Aug");
        assert_eq!(weekday(date(2021, 8, 1), Lang::Ja), "日");
        assert_eq!(weekday(date(2021, 8, 2), Lang::En), "Mon");
        assert!(is_weekend(date(2021, 8, 1)) && !is_weekend(date(2021, 8, 2)));
        let nov = Period::Month(date(2021, 11, 1));
        assert_eq!(range(aug, nov, Lang::Ja, "ja-JP"), "2021/08~2021/11");
        assert_eq!(range(aug, nov, Lang::En, "en-US"), "Aug 2021 – Nov 2021");
        assert_eq!(range(aug, aug, Lang::En, "en-US"), "Aug 2021");
    }
}
