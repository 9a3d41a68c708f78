//! Periods in a person's words, on the screens and in the CSV (S19 "headings as shown"):
//! Japanese users read `2021/08` and `2021/08/01` (the seed's own headings); English users
//! get the month's name, which no reader can take for a day, in the order of their region
//! (S25: `Aug 1, 2021` in the United States, `1 Aug 2021` elsewhere).

use jiff::civil::Date;
use meterport_domain::labels::Lang;
use meterport_domain::period::Period;

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn us(locale: &str) -> bool {
    locale == "en-US"
}

/// A month: `2021/08` or `Aug 2021`.
pub fn month(d: Date, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{:04}/{:02}", d.year(), d.month()),
        Lang::En => format!("{} {:04}", MONTHS_EN[d.month() as usize - 1], d.year()),
    }
}

/// A day: `2021/08/01`, `Aug 1, 2021` (en-US) or `1 Aug 2021`.
pub fn day(d: Date, lang: Lang, locale: &str) -> String {
    let m = MONTHS_EN[d.month() as usize - 1];
    match lang {
        Lang::Ja => format!("{:04}/{:02}/{:02}", d.year(), d.month(), d.day()),
        Lang::En if us(locale) => format!("{m} {}, {:04}", d.day(), d.year()),
        Lang::En => format!("{} {m} {:04}", d.day(), d.year()),
    }
}

/// A day without its year, for the many columns of a daily table: `10/01`, `Oct 1` (en-US)
/// or `1 Oct`.
pub fn day_short(d: Date, lang: Lang, locale: &str) -> String {
    let m = MONTHS_EN[d.month() as usize - 1];
    match lang {
        Lang::Ja => format!("{:02}/{:02}", d.month(), d.day()),
        Lang::En if us(locale) => format!("{m} {}", d.day()),
        Lang::En => format!("{} {m}", d.day()),
    }
}

/// A period as a heading or a row label.
pub fn period(p: Period, lang: Lang, locale: &str) -> String {
    match p {
        Period::Month(d) => month(d, lang),
        Period::Day(d) => day(d, lang, locale),
    }
}
