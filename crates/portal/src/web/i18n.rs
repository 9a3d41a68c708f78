//! Japanese and English from the same message keys (`locales/{ja,en}/*.ftl`).
//!
//! A test reads both catalogues and fails when a key is missing in either, so a screen can
//! never show a raw key to a user.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

pub use meterport_domain::labels::Lang;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around arguments would end up in e-mails and CSV cells.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static JA: LanguageIdentifier = langid!("ja");
static EN: LanguageIdentifier = langid!("en");

fn id(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

/// The message for a key.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES
        .try_lookup(id(lang), key)
        .unwrap_or_else(|| format!("[{key}]"))
}

/// The message for a key with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&'static str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
        .collect();
    LOCALES
        .try_lookup_with_args(id(lang), key, &args)
        .unwrap_or_else(|| format!("[{key}]"))
}

/// The language a browser prefers among ours, from `Accept-Language` (first match wins;
/// Japanese when nothing matches, as the portal's users mostly are).
pub fn from_accept_language(header: Option<&str>) -> Lang {
    let Some(header) = header else {
        return Lang::Ja;
    };
    let mut prefs: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    prefs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    for (_, tag) in prefs {
        let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "ja" => return Lang::Ja,
            "en" => return Lang::En,
            _ => {}
        }
    }
    Lang::Ja
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Message ids defined in a Fluent file: lines `id = ...` at the start of a line.
    fn ids(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
            .collect()
    }

    fn catalogue(lang: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut all = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ftl") {
                all.extend(ids(&std::fs::read_to_string(path).unwrap()));
            }
        }
        all
    }

    #[test]
    fn every_message_key_exists_in_japanese_and_english() {
        let ja = catalogue("ja");
        let en = catalogue("en");
        assert!(ja.len() > 20, "the catalogue was read");
        let missing_en: Vec<_> = ja.difference(&en).collect();
        let missing_ja: Vec<_> = en.difference(&ja).collect();
        assert!(missing_en.is_empty(), "missing in English: {missing_en:?}");
        assert!(missing_ja.is_empty(), "missing in Japanese: {missing_ja:?}");
    }

    #[test]
    fn every_key_used_in_the_code_and_templates_exists() {
        let known = catalogue("en");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        let mut stack = vec![root.join("src"), root.join("templates")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                // Keys are written as t("key"), i18n::t(lang, "key") or t_args(lang, "key"
                // in code, and ctx.t("key") in templates: a `t(` or `t_args(` that is not
                // the end of a longer name (`get(` is not `t(`).
                for (at, _) in text.match_indices("t(") {
                    let before = text[..at].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &text[at + 2..];
                    // Skip a first argument that is not a string (`lang, "key"`).
                    let rest = match rest.find('"') {
                        Some(q) if !rest[..q].contains([')', '\n', '"']) && q < 24 => {
                            &rest[q + 1..]
                        }
                        _ => continue,
                    };
                    if let Some(key) = rest.split('"').next()
                        && !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    {
                        used.insert(key.to_string());
                    }
                }
                for (at, _) in text.match_indices("t_args(") {
                    let rest = &text[at + 7..];
                    if let Some(q) = rest.find('"').filter(|q| *q < 24)
                        && let Some(key) = rest[q + 1..].split('"').next()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    {
                        used.insert(key.to_string());
                    }
                }
            }
        }
        used.remove("key");
        let missing: Vec<_> = used.difference(&known).collect();
        assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
    }

    #[test]
    fn the_browser_s_language_is_taken_when_we_have_it() {
        assert_eq!(
            from_accept_language(Some("en-US,en;q=0.9,ja;q=0.8")),
            Lang::En
        );
        assert_eq!(
            from_accept_language(Some("fr-FR,ja;q=0.5,en;q=0.4")),
            Lang::Ja
        );
        assert_eq!(from_accept_language(Some("de")), Lang::Ja);
        assert_eq!(from_accept_language(None), Lang::Ja);
        assert_eq!(t(Lang::En, "menu-device-list"), "Device list");
        assert_eq!(t(Lang::Ja, "menu-device-list"), "デバイスリスト");
    }
}
