//! The words of the counter screens and their CSV (S13-S19), in Japanese and English.
//!
//! The Japanese labels are the seed manual's own (chapters 4 and 5: トータル1, カラー(ラージ),
//! スキャン(Send), ...), so that a customer moving from the original portal finds the same
//! headings. Labels are plain `match`es rather than a message catalogue: the compiler then
//! refuses a key or a heading without a label in either language, and the HTML screens and the
//! CSV export share the one list.
//!
//! [`view_keys`] says which counters each tab of S16/S17 shows (Counter, Paper size, Colour
//! mode, Function), and for large-format printers (their own five counters on every tab).

use crate::counters::{DeviceClass, Key};
use crate::device::LfpUnit;

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

/// The heading of a counter column. For a large-format printer prefer [`counter_label`],
/// which names its total "Total" (トータル) as the seed does.
pub fn key_label(key: Key, lang: Lang) -> &'static str {
    use Key::*;
    let (ja, en) = match key {
        Total1 => ("トータル1", "Total 1"),
        Color => ("カラー", "Colour"),
        Mono => ("白黒", "Mono"),
        Scan => ("スキャン", "Scan"),
        ColorLarge => ("カラー(ラージ)", "Colour (large)"),
        ColorSmall => ("カラー(スモール)", "Colour (small)"),
        MonoLarge => ("白黒(ラージ)", "Mono (large)"),
        MonoSmall => ("白黒(スモール)", "Mono (small)"),
        ColorCopy => ("カラーコピー", "Colour copy"),
        ColorPrint => ("カラープリント", "Colour print"),
        MonoCopy => ("白黒コピー", "Mono copy"),
        MonoPrint => ("白黒プリント", "Mono print"),
        Copy => ("コピー", "Copy"),
        Receive => ("受信", "Receive"),
        Print => ("プリント", "Print"),
        ScanSend => ("スキャン(Send)", "Scan (send)"),
        Duplex => ("両面", "Duplex"),
        PaperA3 => ("A3", "A3"),
        PaperA4 => ("A4", "A4"),
        PaperA5 => ("A5", "A5"),
        PaperA6 => ("A6", "A6"),
        PaperB4 => ("B4", "B4"),
        PaperB5 => ("B5", "B5"),
        PaperB6 => ("B6", "B6"),
        PaperLetter => ("レター", "Letter"),
        PaperLegal => ("リーガル", "Legal"),
        PaperLedger => ("レジャー(11x17)", "Ledger (11x17)"),
        PaperStatement => ("ステートメント", "Statement"),
        PaperExecutive => ("エグゼクティブ", "Executive"),
        PaperPostcard => ("はがき", "Postcard"),
        PaperSra3 => ("SRA3", "SRA3"),
        Paper12x18 => ("12x18", "12x18"),
        PaperEnvelope => ("封筒", "Envelope"),
        PaperOther => ("その他", "Other"),
        DutyA => ("DUTY A", "DUTY A"),
        DutyB => ("DUTY B", "DUTY B"),
        DutyC => ("DUTY C", "DUTY C"),
        DutyD => ("DUTY D", "DUTY D"),
    };
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

/// The heading of a counter column on a table of the given device class: an LFP's `total1`
/// is its "Total" (トータル, seed ch. 4-2), not "Total 1".
pub fn counter_label(key: Key, class: DeviceClass, lang: Lang) -> &'static str {
    match (class, key, lang) {
        (DeviceClass::Lfp, Key::Total1, Lang::Ja) => "トータル",
        (DeviceClass::Lfp, Key::Total1, Lang::En) => "Total",
        _ => key_label(key, lang),
    }
}

/// The unit an LFP counts in (S16): A4- or Letter-equivalent sheets, m², sq ft.
pub fn lfp_unit_label(unit: LfpUnit, lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => unit.label_ja(),
        Lang::En => unit.label_en(),
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

pub fn heading(h: Heading, lang: Lang) -> &'static str {
    let (ja, en) = match h {
        Heading::DeviceName => ("デバイス名", "Device name"),
        Heading::Location => ("デバイス設置場所", "Location"),
        Heading::Group => ("グループ名", "Group"),
        Heading::Total => ("合計", "Total"),
        Heading::Period => ("期間", "Period"),
        Heading::Unit => ("単位", "Unit"),
    };
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
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

    /// The tab's name (seed ch. 4-2: カウンター, 用紙サイズ, カラーモード, 機能).
    pub fn label(self, lang: Lang) -> &'static str {
        let (ja, en) = match self {
            View::Counter => ("カウンター", "Counter"),
            View::Paper => ("用紙サイズ", "Paper size"),
            View::ColorMode => ("カラーモード", "Colour mode"),
            View::Function => ("機能", "Function"),
        };
        match lang {
            Lang::Ja => ja,
            Lang::En => en,
        }
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
    use crate::counters::ALL_KEYS;
    use std::collections::HashSet;

    #[test]
    fn every_key_has_a_distinct_label_in_each_language() {
        for lang in Lang::ALL {
            let labels: HashSet<&str> = ALL_KEYS.iter().map(|k| key_label(*k, lang)).collect();
            assert_eq!(labels.len(), ALL_KEYS.len(), "{lang:?} repeats a label");
            assert!(labels.iter().all(|l| !l.trim().is_empty()));
        }
        let headings: HashSet<&str> = Heading::ALL.iter().map(|h| heading(*h, Lang::En)).collect();
        assert_eq!(headings.len(), Heading::ALL.len());
    }

    #[test]
    fn japanese_labels_are_the_seed_manual_s_headings() {
        let ja = |k| key_label(k, Lang::Ja);
        assert_eq!(ja(Key::Total1), "トータル1");
        assert_eq!(ja(Key::ColorSmall), "カラー(スモール)");
        assert_eq!(ja(Key::MonoPrint), "白黒プリント");
        assert_eq!(ja(Key::ScanSend), "スキャン(Send)");
        assert_eq!(ja(Key::Duplex), "両面");
        assert_eq!(ja(Key::PaperPostcard), "はがき");
        assert_eq!(ja(Key::PaperLedger), "レジャー(11x17)");
        assert_eq!(heading(Heading::Location, Lang::Ja), "デバイス設置場所");
        assert_eq!(heading(Heading::Total, Lang::Ja), "合計");
        assert_eq!(View::Paper.label(Lang::Ja), "用紙サイズ");
    }

    #[test]
    fn an_lfp_s_total_is_called_total_not_total_1() {
        assert_eq!(
            counter_label(Key::Total1, DeviceClass::Lfp, Lang::Ja),
            "トータル"
        );
        assert_eq!(
            counter_label(Key::Total1, DeviceClass::Lfp, Lang::En),
            "Total"
        );
        assert_eq!(
            counter_label(Key::Total1, DeviceClass::Mfp, Lang::En),
            "Total 1"
        );
        assert_eq!(
            counter_label(Key::DutyB, DeviceClass::Lfp, Lang::Ja),
            "DUTY B"
        );
        assert_eq!(lfp_unit_label(LfpUnit::M2, Lang::Ja), "面積(m²)");
        assert_eq!(lfp_unit_label(LfpUnit::Sqft, Lang::En), "sq ft");
    }

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
