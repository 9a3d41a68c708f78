//! Small pieces that several screens show: numbers with thousands separators and the page
//! links of a long list. Screen modules import these from here, never from one another.

use meterport_domain::counters::{DeviceClass, format_shown, format_value};
use meterport_domain::device::LfpUnit;

/// A counter value with thousands separators, in the device class's unit.
///
/// Every region we offer (ja-JP, en-US, en-GB, en-AU) writes `1,234.5`; a region that groups
/// otherwise would get its separators here.
pub fn number(v: i64, class: DeviceClass) -> String {
    grouped(&format_value(v, class))
}

/// A counter value as the counter tables show it: the unit's fixed decimals
/// ([`meterport_domain::counters::format_shown`]) and thousands separators.
pub fn number_shown(v: i64, class: DeviceClass, unit: Option<LfpUnit>) -> String {
    grouped(&format_shown(v, class, unit))
}

/// Thousands separators in the integer part of a plain decimal number.
fn grouped(raw: &str) -> String {
    let (sign, rest) = match raw.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", raw),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(raw.len() + raw.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A whole number with thousands separators: `10,000`.
pub fn group_digits(n: i64) -> String {
    number(n, DeviceClass::Mfp)
}

/// The pages a pager links: the first and last pages and two on either side of `page`,
/// ascending and each once. `page` is 1-based and within `1..=pages`.
pub fn pages_to_link(page: usize, pages: usize) -> Vec<usize> {
    let mut shown: Vec<usize> = vec![1, pages];
    shown.extend(page.saturating_sub(2).max(1)..=(page + 2).min(pages));
    shown.sort_unstable();
    shown.dedup();
    shown
}

/// The 1-based numbers of the first and last rows of `page` among `total` rows shown
/// `per_page` at a time, and the number of pages (at least one).
pub fn page_bounds(total: usize, page: usize, per_page: usize) -> (usize, usize, usize) {
    let pages = total.div_ceil(per_page).max(1);
    let first = if total == 0 {
        0
    } else {
        (page - 1) * per_page + 1
    };
    (first, (page * per_page).min(total), pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators_and_keep_their_sign_and_decimals() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(10_000), "10,000");
        assert_eq!(group_digits(-1_234_567), "-1,234,567");
        assert_eq!(number(12_345_678, DeviceClass::Lfp), "12,345.678");
    }

    #[test]
    fn a_pager_links_the_ends_and_the_pages_around_the_current_one() {
        assert_eq!(pages_to_link(1, 1), [1]);
        assert_eq!(pages_to_link(1, 10), [1, 2, 3, 10]);
        assert_eq!(pages_to_link(6, 10), [1, 4, 5, 6, 7, 8, 10]);
        assert_eq!(page_bounds(0, 1, 100), (0, 0, 1));
        assert_eq!(page_bounds(10_000, 2, 100), (101, 200, 100));
        assert_eq!(page_bounds(250, 2, 200), (201, 250, 2));
    }
}
