//! What the counter screens and their CSV (S13-S19) show, without the words: the display
//! languages, the tables' headings and the tabs of the detail screens. Their labels, in
//! Japanese and English, are messages of the portal's catalogue (`portal::i18n`), which
//! renders every variant of these enums and every counter key.
//!
//! [`view_keys`] says which counters each tab of S16/S17 shows (Counter, Paper size, Colour
//! mode, Function), and for large-format printers (their own five counters on every tab).

use crate::counters::{DeviceClass, Key};

/// A display language (S25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// The seed's language, and the default.
    #[default]
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// `ja` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// The words of the counter tables other than counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Heading {
    DeviceName,
    Location,
    Group,
    /// The Total column and the Total row (合計).
    Total,
    /// The period column of a device's detail (S16).
    Period,
    /// An LFP's unit.
    Unit,
}

impl Heading {
    pub const ALL: [Heading; 6] = [
        Heading::DeviceName,
        Heading::Location,
        Heading::Group,
        Heading::Total,
        Heading::Period,
        Heading::Unit,
    ];
}

/// A tab of the detail screens (S16, S17): which counters it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum View {
    #[default]
    Counter,
    Paper,
    ColorMode,
    Function,
}

impl View {
    pub const ALL: [View; 4] = [View::Counter, View::Paper, View::ColorMode, View::Function];

    /// The name in URLs: `counter`, `paper`, `color_mode`, `function`.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Counter => "counter",
            View::Paper => "paper",
            View::ColorMode => "color_mode",
            View::Function => "function",
        }
    }

    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The counters of a tab, Total 1 first (S16). `paper_sizes` are the tenant's selected sizes
/// (S21); they are shown in the setting's order whatever order they come in, and keys that
/// are not paper sizes are ignored. An LFP has only its own five counters, on every tab.
pub fn view_keys(view: View, class: DeviceClass, paper_sizes: &[Key]) -> Vec<Key> {
    use Key::*;
    if class == DeviceClass::Lfp {
        return vec![Total1, DutyA, DutyB, DutyC, DutyD];
    }
    match view {
        View::Counter => vec![
            Total1, Color, Mono, Scan, ColorLarge, ColorSmall, MonoLarge, MonoSmall,
        ],
        View::Paper => {
            let mut keys = vec![Total1];
            // `Key::paper_sizes()` is in the S21 order, so filtering it keeps that order
            // and drops repeats.
            keys.extend(
                Key::paper_sizes()
                    .iter()
                    .filter(|k| paper_sizes.contains(k)),
            );
            keys
        }
        View::ColorMode => vec![Total1, ColorCopy, ColorPrint, MonoCopy, MonoPrint],
        View::Function => vec![Total1, Copy, Receive, Print, ScanSend, Duplex],
    }
}

/// The paper-size keys of a tenant's setting, stored as short names (`a4`, `12x18`).
/// Unknown names are skipped: a size dropped from a later version must not break a table.
pub fn paper_size_keys<S: AsRef<str>>(names: &[S]) -> Vec<Key> {
    names
        .iter()
        .filter_map(|n| Key::from_name(&format!("paper_{}", n.as_ref().trim())))
        .filter(|k| k.is_paper())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_views_parse_from_their_url_names_only() {
        assert_eq!(Lang::parse("ja"), Some(Lang::Ja));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("EN"), None);
        for v in View::ALL {
            assert_eq!(View::parse(v.as_str()), Some(v));
        }
        assert_eq!(View::parse("color_mode"), Some(View::ColorMode));
        assert_eq!(View::parse("colour_mode"), None);
    }

    #[test]
    fn each_tab_shows_total_1_first_and_then_its_own_counters() {
        use Key::*;
        let mfp = |v| view_keys(v, DeviceClass::Mfp, &[PaperA4, PaperA3]);
        assert_eq!(
            mfp(View::Counter),
            [
                Total1, Color, Mono, Scan, ColorLarge, ColorSmall, MonoLarge, MonoSmall
            ]
        );
        assert_eq!(
            mfp(View::ColorMode),
            [Total1, ColorCopy, ColorPrint, MonoCopy, MonoPrint]
        );
        assert_eq!(
            mfp(View::Function),
            [Total1, Copy, Receive, Print, ScanSend, Duplex]
        );
        // The setting's order, not the order given.
        assert_eq!(mfp(View::Paper), [Total1, PaperA3, PaperA4]);
        for v in View::ALL {
            assert_eq!(
                view_keys(v, DeviceClass::Lfp, &[PaperA4]),
                [Total1, DutyA, DutyB, DutyC, DutyD]
            );
        }
    }

    #[test]
    fn a_tenant_s_paper_setting_maps_to_keys_and_skips_unknown_sizes() {
        assert_eq!(
            paper_size_keys(&["a3", "letter", "12x18", "a0", "duplex"]),
            [Key::PaperA3, Key::PaperLetter, Key::Paper12x18]
        );
        let none: [&str; 0] = [];
        assert!(paper_size_keys(&none).is_empty());
    }
}
