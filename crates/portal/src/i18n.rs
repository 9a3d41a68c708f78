//! Every message a person reads, in Japanese and English from the same message keys
//! (`locales/{ja,en}/*.ftl`): the screens' texts, the mails, the CSV headings, and the
//! domain's typed refusals and labels, which this module words ([`problem`], [`key_label`],
//! [`status_label`], ...). The web screens, the JSON APIs, the mails and the command line all
//! take their words from here; none borrows another's.
//!
//! The tests render every variant of every refusal and label enum in both languages, and
//! fail when the two catalogues do not hold the same keys, so no one ever reads a raw key.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

use meterport_domain::counters::{DeviceClass, Key, ValueError};
use meterport_domain::device::{DeviceType, LfpUnit, SERIAL_MAX_CHARS};
use meterport_domain::ingest::{BodyError, ItemError, ItemProblem};
pub use meterport_domain::labels::Lang;
use meterport_domain::labels::{Heading, View};
use meterport_domain::period::{MAX_DAY_MONTHS, MAX_MONTHS, RangeError, Unit};
use meterport_domain::policy::{CharRule, FieldError, Problem};
use meterport_domain::status::{KnownCondition, Status};

use crate::service::counters::{ParamError, ParamProblem};
use crate::service::meter_mail::{IngestRefusal, MailRefusal};
use crate::service::{Missing, Refused};
use meterport_meter_mail::Refusal;

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

/// A message id made of a prefix and a name of ours (`paper_a4` gives `counter-paper-a4`).
fn keyed(prefix: &str, name: &str) -> String {
    format!("{prefix}-{}", name.replace('_', "-"))
}

// ---- Labels of the domain's values

/// The heading of a counter column (the seed manual's own words in Japanese: トータル1,
/// カラー(ラージ), スキャン(Send), ...). For a large-format printer prefer
/// [`counter_label`].
pub fn key_label(key: Key, lang: Lang) -> String {
    let id = keyed("counter", key.name());
    t(lang, &id)
}

/// The heading of a counter column on a table of the given device class: an LFP's `total1`
/// is its "Total" (seed ch. 4-2), not "Total 1".
pub fn counter_label(key: Key, class: DeviceClass, lang: Lang) -> String {
    match (class, key) {
        (DeviceClass::Lfp, Key::Total1) => t(lang, "counter-lfp-total"),
        _ => key_label(key, lang),
    }
}

/// The unit an LFP counts in (S16): A4- or Letter-equivalent sheets, m², sq ft.
pub fn lfp_unit_label(unit: LfpUnit, lang: Lang) -> String {
    let id = keyed("lfp-unit", unit.as_str());
    t(lang, &id)
}

/// The words of the counter tables other than counters.
pub fn heading(h: Heading, lang: Lang) -> String {
    let id = match h {
        Heading::DeviceName => "heading-device-name",
        Heading::Location => "heading-location",
        Heading::Group => "heading-group",
        Heading::Total => "heading-total",
        Heading::Period => "heading-period",
        Heading::Unit => "heading-unit",
    };
    t(lang, id)
}

/// A tab's name (seed ch. 4-2).
pub fn view_label(view: View, lang: Lang) -> String {
    let id = keyed("view", view.as_str());
    t(lang, &id)
}

/// A device status (seed ch. 3).
pub fn status_label(status: Status, lang: Lang) -> String {
    let id = keyed("status", status.as_str());
    t(lang, &id)
}

/// A device type (seed ch. 3).
pub fn type_label(kind: DeviceType, lang: Lang) -> String {
    let id = keyed("device-type", kind.as_str());
    t(lang, &id)
}

/// A supply colour (one of `domain::device::SUPPLY_COLORS`).
pub fn supply_color_label(color: &str, lang: Lang) -> String {
    t(lang, &format!("supply-color-{}", color.replace('_', "-")))
}

/// A condition whose code the portal knows, in the user's language (the device's own text
/// is shown beside it as a detail).
pub fn condition_label(known: KnownCondition, lang: Lang) -> String {
    let id = format!("condition-{}", known.topic.as_str());
    match known.color {
        Some(color) => t_args(
            lang,
            &format!("{id}-color"),
            &[("color", supply_color_label(color, lang))],
        ),
        None => t(lang, &id),
    }
}

// ---- Refusals

/// The message id of a problem and its arguments.
fn problem_message(problem: &Problem) -> (&'static str, Vec<(&'static str, String)>) {
    use Problem::*;
    let n = |v: usize| v.to_string();
    match problem {
        Required => ("problem-required", vec![]),
        TooLong { max } => ("problem-too-long", vec![("max", n(*max))]),
        ControlCharacter { found } => ("problem-control-character", vec![("found", found.clone())]),
        ControlCharacterInText => ("problem-control-character-in-text", vec![]),
        ControlCharacterNotNamed => ("problem-control-character-not-named", vec![]),
        InvalidCharacter { rule, found } => {
            let id = match rule {
                CharRule::Username => "problem-invalid-character-username",
                CharRule::Serial => "problem-invalid-character-serial",
                CharRule::Email => "problem-invalid-character-email",
                CharRule::ConditionCode => "problem-invalid-character-condition-code",
            };
            (id, vec![("found", found.clone())])
        }
        InvalidChoice { choices } => ("problem-invalid-choice", vec![("choices", choices.clone())]),
        OutOfRange { min, max } => (
            "problem-out-of-range",
            vec![("min", min.to_string()), ("max", max.to_string())],
        ),
        OutOfRangeOrNull { min, max } => (
            "problem-out-of-range-or-null",
            vec![("min", min.to_string()), ("max", max.to_string())],
        ),
        PasswordRequired => ("problem-password-required", vec![]),
        PasswordTooShort { min, max } | PasswordTooLong { min, max } => (
            "problem-password-length",
            vec![("min", n(*min)), ("max", n(*max))],
        ),
        PasswordNotHalfWidth => ("problem-password-not-half-width", vec![]),
        PasswordMissingLowercase => ("problem-password-missing-lowercase", vec![]),
        PasswordMissingDigit => ("problem-password-missing-digit", vec![]),
        PasswordSameAsCurrent => ("problem-password-same-as-current", vec![]),
        PasswordMismatch => ("problem-password-mismatch", vec![]),
        GroupNameRequired => ("problem-group-name-required", vec![]),
        GroupNameTooWide { max, width } => (
            "problem-group-name-too-wide",
            vec![("max", n(*max)), ("width", n(*width))],
        ),
        GroupNameForbiddenCharacter { forbidden, found } => (
            "problem-group-name-forbidden-character",
            vec![("forbidden", forbidden.clone()), ("found", found.clone())],
        ),
        GroupNameHalfWidthKatakana { found } => (
            "problem-group-name-half-width-katakana",
            vec![("found", found.clone())],
        ),
        TooManyGroups { max } => ("problem-too-many-groups", vec![("max", n(*max))]),
        GroupNameTaken => ("problem-group-name-taken", vec![]),
        UnknownDevices { ids } => ("problem-unknown-devices", vec![("ids", ids.clone())]),
        DeviceInOtherGroup {
            device_id,
            serial,
            group,
        } => (
            "problem-device-in-other-group",
            vec![
                ("device", device_id.to_string()),
                ("serial", serial.clone()),
                ("group", group.clone()),
            ],
        ),
        NothingToChange => ("problem-nothing-to-change", vec![]),
        UsernameTooShort { min, max } | UsernameTooLong { min, max } => (
            "problem-username-length",
            vec![("min", n(*min)), ("max", n(*max))],
        ),
        UsernameTaken => ("problem-username-taken", vec![]),
        UnknownUser => ("problem-unknown-user", vec![]),
        EmailFullWidth => ("problem-email-full-width", vec![]),
        EmailInvalid => ("problem-email-invalid", vec![]),
        LfpUnitRequired => ("problem-lfp-unit-required", vec![]),
        LfpUnitNotAllowed => ("problem-lfp-unit-not-allowed", vec![]),
        InvalidMac => ("problem-invalid-mac", vec![]),
        InvalidHost => ("problem-invalid-host", vec![]),
        InvalidUrl => ("problem-invalid-url", vec![]),
        SerialTaken => ("problem-serial-taken", vec![]),
        TenantNameTaken => ("problem-tenant-name-taken", vec![]),
        InvalidTimezone => ("problem-invalid-timezone", vec![]),
        RetentionOutOfRange { max } => (
            "problem-retention-out-of-range",
            vec![("max", max.to_string())],
        ),
        InvalidTime => ("problem-invalid-time", vec![]),
        EndNotAfterStart => ("problem-end-not-after-start", vec![]),
        InUse => ("problem-in-use", vec![]),
        InvalidJson { detail } => ("problem-invalid-json", vec![("detail", detail.clone())]),
    }
}

/// A broken rule in the user's words. In English it continues the field's name ("is
/// required"), as the JSON APIs give it; in Japanese it is a sentence of its own.
pub fn problem(lang: Lang, problem: &Problem) -> String {
    let (id, args) = problem_message(problem);
    t_args(lang, id, &args)
}

/// A field's refusal in the JSON APIs' language, English (SPEC §7 `details`).
pub fn api_message(error: &FieldError) -> String {
    problem(Lang::En, &error.problem)
}

/// The message id of an ingest item's problem and its arguments; `None` for a rule the
/// forms share, which [`problem`] words.
fn item_problem_message(p: &ItemProblem) -> Option<(&'static str, Vec<(&'static str, String)>)> {
    use ItemProblem::*;
    Some(match p {
        Field(_) => return None,
        NotAnObject => ("ingest-not-an-object", vec![]),
        DuplicateKey => ("ingest-duplicate-key", vec![]),
        InvalidShape { detail } => ("ingest-invalid-shape", vec![("detail", detail.clone())]),
        NotAString => ("ingest-not-a-string", vec![]),
        Empty => ("ingest-empty", vec![]),
        InvalidSerial => (
            "ingest-invalid-serial",
            vec![("max", SERIAL_MAX_CHARS.to_string())],
        ),
        InvalidTimestamp => ("ingest-invalid-timestamp", vec![]),
        NoSuchOffset { offset } => ("ingest-no-such-offset", vec![("offset", offset.clone())]),
        NotAReadingField => ("ingest-not-a-reading-field", vec![]),
        CountersNotAnObject => ("ingest-counters-not-an-object", vec![]),
        NoCounters => ("ingest-no-counters", vec![]),
        UnknownCounter => ("ingest-unknown-counter", vec![]),
        InFuture { minutes } => ("ingest-in-future", vec![("minutes", minutes.to_string())]),
        BeforeRetention { start } => ("ingest-before-retention", vec![("start", start.clone())]),
        NotACounterOf { class } => match class {
            DeviceClass::Mfp => ("ingest-not-a-counter-of-mfp", vec![]),
            DeviceClass::Lfp => ("ingest-not-a-counter-of-lfp", vec![]),
        },
        Value(e) => (
            match e {
                ValueError::NotANumber => "ingest-value-not-a-number",
                ValueError::Negative => "ingest-value-negative",
                ValueError::Fractional => "ingest-value-fractional",
                ValueError::TooPrecise => "ingest-value-too-precise",
                ValueError::TooLarge => "ingest-value-too-large",
                ValueError::Exponent => "ingest-value-exponent",
            },
            vec![],
        ),
        UnknownSerial => ("ingest-unknown-serial", vec![]),
        GivenTwice => ("ingest-given-twice", vec![]),
        TooManySupplies { max } => ("ingest-too-many-supplies", vec![("max", max.to_string())]),
        ConflictsWithItem { item } => (
            "ingest-conflicts-with-item",
            vec![("item", item.to_string())],
        ),
        ConflictsWithStored => ("ingest-conflicts-with-stored", vec![]),
    })
}

/// What is wrong with an item of an ingest request, in the user's words; in English it
/// continues the field's name, as the API's `details` give it.
pub fn item_problem(lang: Lang, p: &ItemProblem) -> String {
    match (p, item_problem_message(p)) {
        (_, Some((id, args))) => t_args(lang, id, &args),
        (ItemProblem::Field(p), None) => problem(lang, p),
        (_, None) => unreachable!("only a shared rule has no ingest message"),
    }
}

/// An ingest item's refusal in the JSON APIs' language, English.
pub fn item_message(error: &ItemError) -> String {
    item_problem(Lang::En, &error.problem)
}

/// Why a whole request body was refused.
pub fn body_error(lang: Lang, e: &BodyError) -> String {
    match e {
        BodyError::InvalidJson { detail } => {
            t_args(lang, "body-invalid-json", &[("detail", detail.clone())])
        }
        BodyError::TooManyItems { max } => {
            t_args(lang, "body-too-many-items", &[("max", max.to_string())])
        }
        BodyError::NotObjectOrArray => t(lang, "body-not-object-or-array"),
    }
}

/// A refused period range in a sentence that names the limit (S12). The screens say it with
/// the start in mind (`web::counters`); this is the API's shorter form.
pub fn range_error(lang: Lang, e: &RangeError) -> String {
    match e {
        RangeError::Format { field, unit } => {
            let id = match unit {
                Unit::Month => "range-format-month",
                Unit::Day => "range-format-day",
            };
            let args = [("field", field.to_string())];
            t_args(lang, id, &args)
        }
        RangeError::EndBeforeStart => t(lang, "range-end-before-start"),
        RangeError::TooManyMonths => t_args(
            lang,
            "range-too-many-months",
            &[("max", MAX_MONTHS.to_string())],
        ),
        RangeError::TooManyDays { max_end } => t_args(
            lang,
            "range-too-many-days",
            &[
                ("months", MAX_DAY_MONTHS.to_string()),
                ("end", max_end.clone()),
            ],
        ),
    }
}

/// A refused parameter of the counters query; in English as the API's `details` give it.
pub fn param_problem(lang: Lang, e: &ParamError) -> String {
    match &e.problem {
        ParamProblem::Choice => {
            let id = match e.field {
                "kind" => "param-choice-kind",
                "group" => "param-choice-group",
                "class" => "param-choice-class",
                "device" => "param-choice-device",
                "unit" => "param-choice-unit",
                "oldest" => "param-choice-oldest",
                _ => "param-choice",
            };
            t(lang, id)
        }
        ParamProblem::UnknownKeys(names) => {
            t_args(lang, "param-unknown-keys", &[("keys", names.join(", "))])
        }
        ParamProblem::Required => problem(lang, &Problem::Required),
        ParamProblem::Range(r) => range_error(lang, r),
        ParamProblem::PeriodFormat => t(lang, "param-period-format"),
        ParamProblem::PeriodUnit => t(lang, "param-period-unit"),
    }
}

/// What a refused change did not do, said above its fields' problems.
pub fn refused(lang: Lang, r: Refused) -> String {
    let id = match r {
        Refused::TenantNotCreated => "refused-tenant-not-created",
        Refused::UserNotCreated => "refused-user-not-created",
        Refused::PasswordNotChanged => "refused-password-not-changed",
        Refused::DeviceNotRegistered => "refused-device-not-registered",
        Refused::NoTokenIssued => "refused-no-token-issued",
        Refused::AnnouncementNotCreated => "refused-announcement-not-created",
        Refused::GroupNotCreated => "refused-group-not-created",
        Refused::GroupNotChanged => "refused-group-not-changed",
        Refused::GroupsNotDeleted => "refused-groups-not-deleted",
        Refused::TenantNotChanged => "refused-tenant-not-changed",
        Refused::WebhookNotRegistered => "refused-webhook-not-registered",
        Refused::DeviceNotChanged => "refused-device-not-changed",
    };
    t(lang, id)
}

/// What a use case did not find, as a noun of the language ("group", 「グループ」).
pub fn missing(lang: Lang, what: Missing) -> String {
    let id = match what {
        Missing::Tenant => "missing-tenant",
        Missing::User => "missing-user",
        Missing::Device => "missing-device",
        Missing::Group => "missing-group",
        Missing::ActiveToken => "missing-active-token",
        Missing::Announcement => "missing-announcement",
        Missing::MailReject => "missing-mail-reject",
        Missing::Webhook => "missing-webhook",
    };
    t(lang, id)
}

/// Why a meter mail was refused (`service::meter_mail`), one line per problem: the SMTP
/// reply's lines (in English) and the reason kept for the operator.
pub fn mail_refusal(lang: Lang, refusal: &MailRefusal) -> Vec<String> {
    /// Items named in a reply; the count says how many more.
    const SHOWN: usize = 10;
    match refusal {
        MailRefusal::Mail(r) => vec![meter_mail_refusal(lang, r)],
        MailRefusal::Ingest(IngestRefusal::Body(e)) => vec![body_error(lang, e)],
        MailRefusal::Ingest(IngestRefusal::Items(items)) => {
            let mut lines = vec![t_args(
                lang,
                "smtp-items-refused",
                &[("count", items.len().to_string())],
            )];
            for (e, serial) in items.iter().take(SHOWN) {
                lines.push(t_args(
                    lang,
                    "smtp-item",
                    &[
                        ("n", (e.index + 1).to_string()),
                        ("serial", serial.clone().unwrap_or_else(|| "-".into())),
                        ("field", e.field.clone()),
                        ("message", item_problem(lang, &e.problem)),
                    ],
                ));
            }
            if items.len() > SHOWN {
                lines.push(t_args(
                    lang,
                    "smtp-items-more",
                    &[("count", (items.len() - SHOWN).to_string())],
                ));
            }
            lines
        }
    }
}

/// Why a message holds no readable report.
pub fn meter_mail_refusal(lang: Lang, r: &Refusal) -> String {
    match r {
        Refusal::Unreadable => t(lang, "smtp-refused-unreadable"),
        Refusal::NoReport => t(lang, "smtp-refused-no-report"),
        Refusal::NoDate => t(lang, "smtp-refused-no-date"),
        Refusal::BadDate { text } => {
            t_args(lang, "smtp-refused-bad-date", &[("text", text.clone())])
        }
        Refusal::UnknownCounter { name } => t_args(
            lang,
            "smtp-refused-unknown-counter",
            &[("name", name.clone())],
        ),
        Refusal::BadValue { name, text } => t_args(
            lang,
            "smtp-refused-bad-value",
            &[("name", name.clone()), ("text", text.clone())],
        ),
        Refusal::MissingSerial => t(lang, "smtp-refused-missing-serial"),
        Refusal::BadJson { detail } => {
            t_args(lang, "smtp-refused-bad-json", &[("detail", detail.clone())])
        }
        Refusal::TooManyReadings { limit } => t_args(
            lang,
            "smtp-refused-too-many",
            &[("limit", limit.to_string())],
        ),
    }
}

/// A message of the JSON APIs, which answer in English.
pub fn api(key: &str) -> String {
    t(Lang::En, key)
}

/// A message of the JSON APIs with named arguments, in English.
pub fn api_args(key: &str, args: &[(&'static str, String)]) -> String {
    t_args(Lang::En, key, args)
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

    /// Every way a meter mail can be refused, each variant once.
    fn every_mail_refusal() -> Vec<MailRefusal> {
        let all = vec![
            Refusal::Unreadable,
            Refusal::NoReport,
            Refusal::NoDate,
            Refusal::BadDate {
                text: "32/13".into(),
            },
            Refusal::UnknownCounter {
                name: "toner".into(),
            },
            Refusal::BadValue {
                name: "total1".into(),
                text: "-5".into(),
            },
            Refusal::MissingSerial,
            Refusal::BadJson {
                detail: "EOF".into(),
            },
            Refusal::TooManyReadings { limit: 50_000 },
        ];
        for r in &all {
            // A new variant must be added above.
            match r {
                Refusal::Unreadable
                | Refusal::NoReport
                | Refusal::NoDate
                | Refusal::BadDate { .. }
                | Refusal::UnknownCounter { .. }
                | Refusal::BadValue { .. }
                | Refusal::MissingSerial
                | Refusal::BadJson { .. }
                | Refusal::TooManyReadings { .. } => {}
            }
        }
        let mut out: Vec<MailRefusal> = all.into_iter().map(MailRefusal::Mail).collect();
        out.push(MailRefusal::Ingest(IngestRefusal::Body(
            BodyError::NotObjectOrArray,
        )));
        let items = (0..12)
            .map(|i| {
                let e = ItemError::new(i, "serial", ItemProblem::UnknownSerial);
                (e, (i % 2 == 0).then(|| format!("SN-{i}")))
            })
            .collect();
        out.push(MailRefusal::Ingest(IngestRefusal::Items(items)));
        out
    }

    #[test]
    fn every_mail_refusal_reads_in_japanese_and_english() {
        for lang in Lang::ALL {
            let mut seen = BTreeSet::new();
            for r in every_mail_refusal() {
                let lines = mail_refusal(lang, &r);
                for line in &lines {
                    assert!(!line.contains('[') && !line.is_empty(), "{lang:?}: {line}");
                }
                assert!(
                    seen.insert(lines.join("\n")),
                    "two refusals read alike: {lines:?}"
                );
            }
        }
        // Ten bad readings are named, the rest counted; a reading without serial says "-".
        let items = every_mail_refusal().pop().unwrap();
        let lines = mail_refusal(Lang::En, &items);
        assert_eq!(lines.len(), 12);
        assert_eq!(lines[0], "Readings refused: 12; nothing stored");
        assert_eq!(
            lines[2],
            "reading 2 (serial -): serial is not a registered device of this customer"
        );
        assert_eq!(lines[11], "and 2 more");
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
                // `i18n::api("key")` and `i18n::api_args("key"` are the API's English.
                let calls = text
                    .match_indices("t(")
                    .chain(text.match_indices("api("))
                    .chain(text.match_indices("api_args("));
                for (at, call) in calls {
                    let before = text[..at].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = &text[at + call.len()..];
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

    /// One problem of each variant of [`Problem`]; the match makes a new variant fail to
    /// compile here until it is added to the list.
    fn every_problem() -> Vec<Problem> {
        use Problem::*;
        let found = || "/ <".to_string();
        let all = vec![
            Required,
            TooLong { max: 100 },
            ControlCharacter { found: found() },
            ControlCharacterInText,
            ControlCharacterNotNamed,
            InvalidCharacter {
                rule: CharRule::Username,
                found: found(),
            },
            InvalidCharacter {
                rule: CharRule::Serial,
                found: found(),
            },
            InvalidCharacter {
                rule: CharRule::Email,
                found: found(),
            },
            InvalidCharacter {
                rule: CharRule::ConditionCode,
                found: found(),
            },
            InvalidChoice {
                choices: "ja, en".into(),
            },
            OutOfRange { min: 1, max: 100 },
            OutOfRangeOrNull { min: 0, max: 100 },
            PasswordRequired,
            PasswordTooShort { min: 6, max: 512 },
            PasswordTooLong { min: 6, max: 512 },
            PasswordNotHalfWidth,
            PasswordMissingLowercase,
            PasswordMissingDigit,
            PasswordSameAsCurrent,
            PasswordMismatch,
            GroupNameRequired,
            GroupNameTooWide { max: 50, width: 52 },
            GroupNameForbiddenCharacter {
                forbidden: "/ <".into(),
                found: found(),
            },
            GroupNameHalfWidthKatakana { found: found() },
            TooManyGroups { max: 200 },
            GroupNameTaken,
            UnknownDevices { ids: "7, 9".into() },
            DeviceInOtherGroup {
                device_id: 7,
                serial: "SN-1".into(),
                group: "2F".into(),
            },
            NothingToChange,
            UsernameTooShort { min: 3, max: 64 },
            UsernameTooLong { min: 3, max: 64 },
            UsernameTaken,
            UnknownUser,
            EmailFullWidth,
            EmailInvalid,
            LfpUnitRequired,
            LfpUnitNotAllowed,
            InvalidMac,
            InvalidHost,
            InvalidUrl,
            SerialTaken,
            TenantNameTaken,
            InvalidTimezone,
            RetentionOutOfRange { max: 600 },
            InvalidTime,
            EndNotAfterStart,
            InUse,
            InvalidJson {
                detail: "missing field `name`".into(),
            },
        ];
        for p in &all {
            match p {
                Required
                | TooLong { .. }
                | ControlCharacter { .. }
                | ControlCharacterInText
                | ControlCharacterNotNamed
                | InvalidCharacter { .. }
                | InvalidChoice { .. }
                | OutOfRange { .. }
                | OutOfRangeOrNull { .. }
                | PasswordRequired
                | PasswordTooShort { .. }
                | PasswordTooLong { .. }
                | PasswordNotHalfWidth
                | PasswordMissingLowercase
                | PasswordMissingDigit
                | PasswordSameAsCurrent
                | PasswordMismatch
                | GroupNameRequired
                | GroupNameTooWide { .. }
                | GroupNameForbiddenCharacter { .. }
                | GroupNameHalfWidthKatakana { .. }
                | TooManyGroups { .. }
                | GroupNameTaken
                | UnknownDevices { .. }
                | DeviceInOtherGroup { .. }
                | NothingToChange
                | UsernameTooShort { .. }
                | UsernameTooLong { .. }
                | UsernameTaken
                | UnknownUser
                | EmailFullWidth
                | EmailInvalid
                | LfpUnitRequired
                | LfpUnitNotAllowed
                | InvalidMac
                | InvalidHost
                | InvalidUrl
                | SerialTaken
                | TenantNameTaken
                | InvalidTimezone
                | RetentionOutOfRange { .. }
                | InvalidTime
                | EndNotAfterStart
                | InUse
                | InvalidJson { .. } => {}
            }
        }
        all
    }

    /// A message a person can read: not empty, not a raw key, every argument filled in.
    fn assert_readable(id: &str, text: &str) {
        assert!(!text.trim().is_empty(), "{id} is empty");
        assert!(!text.starts_with('['), "{id} is missing: {text}");
        assert!(!text.contains(id), "{id} shows its key: {text}");
        assert!(!text.contains('{'), "{id} has an unfilled argument: {text}");
    }

    #[test]
    fn every_problem_reads_in_japanese_and_english_and_every_problem_message_is_used() {
        let mut used = BTreeSet::new();
        for p in every_problem() {
            let (id, _) = problem_message(&p);
            used.insert(id.to_string());
            for lang in Lang::ALL {
                assert_readable(id, &problem(lang, &p));
            }
        }
        let defined: BTreeSet<String> = catalogue("en")
            .into_iter()
            .filter(|id| id.starts_with("problem-"))
            .collect();
        let unused: Vec<_> = defined.difference(&used).collect();
        assert!(
            unused.is_empty(),
            "problem messages no code produces: {unused:?}"
        );
    }

    /// One problem of each variant of [`ItemProblem`] (and of each [`ValueError`] and
    /// device class in it); the match makes a new variant fail to compile here.
    fn every_item_problem() -> Vec<ItemProblem> {
        use ItemProblem::*;
        let mut all = vec![
            Field(Problem::Required),
            NotAnObject,
            DuplicateKey,
            InvalidShape {
                detail: "unknown field `x`".into(),
            },
            NotAString,
            Empty,
            InvalidSerial,
            InvalidTimestamp,
            NoSuchOffset {
                offset: "+24:00".into(),
            },
            NotAReadingField,
            CountersNotAnObject,
            NoCounters,
            UnknownCounter,
            ItemProblem::in_future(),
            BeforeRetention {
                start: "2021-04-01T00:00:00Z".into(),
            },
            NotACounterOf {
                class: DeviceClass::Mfp,
            },
            NotACounterOf {
                class: DeviceClass::Lfp,
            },
            UnknownSerial,
            GivenTwice,
            TooManySupplies { max: 32 },
            ConflictsWithItem { item: 0 },
            ConflictsWithStored,
        ];
        all.extend(ValueError::ALL.map(Value));
        for p in &all {
            match p {
                Field(_)
                | NotAnObject
                | DuplicateKey
                | InvalidShape { .. }
                | NotAString
                | Empty
                | InvalidSerial
                | InvalidTimestamp
                | NoSuchOffset { .. }
                | NotAReadingField
                | CountersNotAnObject
                | NoCounters
                | UnknownCounter
                | InFuture { .. }
                | BeforeRetention { .. }
                | NotACounterOf { .. }
                | Value(
                    ValueError::NotANumber
                    | ValueError::Negative
                    | ValueError::Fractional
                    | ValueError::TooPrecise
                    | ValueError::TooLarge
                    | ValueError::Exponent,
                )
                | UnknownSerial
                | GivenTwice
                | TooManySupplies { .. }
                | ConflictsWithItem { .. }
                | ConflictsWithStored => {}
            }
        }
        all
    }

    /// Every message id of a prefix in the catalogue.
    fn defined(prefix: &str) -> BTreeSet<String> {
        catalogue("en")
            .into_iter()
            .filter(|id| id.starts_with(prefix))
            .collect()
    }

    #[test]
    fn every_item_problem_reads_in_japanese_and_english_and_every_ingest_message_is_used() {
        let mut used = BTreeSet::new();
        for p in every_item_problem() {
            let id = item_problem_message(&p).map_or("problem-required", |(id, _)| id);
            used.insert(id.to_string());
            for lang in Lang::ALL {
                assert_readable(id, &item_problem(lang, &p));
            }
        }
        let unused: Vec<_> = defined("ingest-").difference(&used).cloned().collect();
        assert!(
            unused.is_empty(),
            "ingest messages no code produces: {unused:?}"
        );
    }

    #[test]
    fn every_body_range_parameter_and_refusal_message_reads_in_japanese_and_english() {
        use meterport_domain::period::Unit;
        let bodies = [
            BodyError::InvalidJson {
                detail: "EOF while parsing a value at line 1 column 1".into(),
            },
            BodyError::TooManyItems { max: 50_000 },
            BodyError::NotObjectOrArray,
        ];
        for b in &bodies {
            match b {
                BodyError::InvalidJson { .. }
                | BodyError::TooManyItems { .. }
                | BodyError::NotObjectOrArray => {}
            }
        }
        let ranges = [
            RangeError::Format {
                field: "from",
                unit: Unit::Month,
            },
            RangeError::Format {
                field: "to",
                unit: Unit::Day,
            },
            RangeError::EndBeforeStart,
            RangeError::TooManyMonths,
            RangeError::TooManyDays {
                max_end: "2021-10-31".into(),
            },
        ];
        for r in &ranges {
            match r {
                RangeError::Format { .. }
                | RangeError::EndBeforeStart
                | RangeError::TooManyMonths
                | RangeError::TooManyDays { .. } => {}
            }
        }
        let mut params: Vec<ParamError> =
            ["kind", "group", "class", "device", "unit", "oldest", "x"]
                .into_iter()
                .map(|field| ParamError {
                    field,
                    problem: ParamProblem::Choice,
                })
                .collect();
        params.extend(
            [
                ParamProblem::Required,
                ParamProblem::PeriodFormat,
                ParamProblem::PeriodUnit,
                ParamProblem::UnknownKeys(vec!["toner".into()]),
            ]
            .into_iter()
            .chain(ranges.iter().cloned().map(ParamProblem::Range))
            .map(|problem| ParamError {
                field: "period",
                problem,
            }),
        );
        for p in &params {
            match p.problem {
                ParamProblem::Choice
                | ParamProblem::Required
                | ParamProblem::Range(_)
                | ParamProblem::PeriodFormat
                | ParamProblem::UnknownKeys(_)
                | ParamProblem::PeriodUnit => {}
            }
        }
        for lang in Lang::ALL {
            for b in &bodies {
                assert_readable("body-", &body_error(lang, b));
            }
            for r in &ranges {
                assert_readable("range-", &range_error(lang, r));
            }
            for p in &params {
                assert_readable("param-", &param_problem(lang, p));
            }
            for r in Refused::ALL {
                match r {
                    Refused::TenantNotCreated
                    | Refused::UserNotCreated
                    | Refused::PasswordNotChanged
                    | Refused::DeviceNotRegistered
                    | Refused::NoTokenIssued
                    | Refused::AnnouncementNotCreated
                    | Refused::GroupNotCreated
                    | Refused::GroupNotChanged
                    | Refused::GroupsNotDeleted
                    | Refused::TenantNotChanged
                    | Refused::WebhookNotRegistered
                    | Refused::DeviceNotChanged => {}
                }
                assert_readable("refused-", &refused(lang, r));
            }
            for m in Missing::ALL {
                match m {
                    Missing::Tenant
                    | Missing::User
                    | Missing::Device
                    | Missing::Group
                    | Missing::ActiveToken
                    | Missing::Announcement
                    | Missing::MailReject
                    | Missing::Webhook => {}
                }
                assert_readable("missing-", &missing(lang, m));
            }
        }
        let distinct: BTreeSet<String> =
            params.iter().map(|p| param_problem(Lang::En, p)).collect();
        assert_eq!(
            distinct.len(),
            params.len(),
            "two parameter problems read alike"
        );
        let distinct: BTreeSet<String> = Refused::ALL
            .map(|r| refused(Lang::Ja, r))
            .into_iter()
            .collect();
        assert_eq!(distinct.len(), Refused::ALL.len());
    }

    #[test]
    fn the_api_s_english_is_what_it_always_said() {
        let en = |p: ItemProblem| item_problem(Lang::En, &p);
        assert_eq!(
            en(ItemProblem::InvalidSerial),
            "is not a valid serial number: 1 to 64 characters of letters, digits and . _ -"
        );
        assert_eq!(
            en(ItemProblem::in_future()),
            "is more than 10 minutes in the future"
        );
        assert_eq!(
            en(ItemProblem::ConflictsWithItem { item: 3 }),
            "conflicts with item 3: same serial and read_at, other counters"
        );
        assert_eq!(
            en(ItemProblem::NoSuchOffset {
                offset: "+24:00".into()
            }),
            "has the offset +24:00, which does not exist: hours 00-23 and minutes 00-59"
        );
        assert_eq!(
            en(ItemProblem::Field(Problem::OutOfRangeOrNull {
                min: 0,
                max: 100
            })),
            "must be a whole number from 0 to 100, or null"
        );
        assert_eq!(
            body_error(Lang::En, &BodyError::TooManyItems { max: 50_000 }),
            "at most 50000 readings per request"
        );
        assert_eq!(
            range_error(
                Lang::En,
                &RangeError::Format {
                    field: "from",
                    unit: meterport_domain::period::Unit::Month
                }
            ),
            "from: expected a month as YYYY-MM"
        );
        assert_eq!(
            range_error(
                Lang::En,
                &RangeError::TooManyDays {
                    max_end: "2021-10-31".into()
                }
            ),
            "a daily period can be at most 3 months (the end at most 2021-10-31)"
        );
        assert_eq!(
            refused(Lang::En, Refused::GroupsNotDeleted),
            "the groups were not deleted"
        );
        assert_eq!(
            api_args("api-items-refused", &[("count", "2".into())]),
            "2 problem(s) in the request; nothing was stored"
        );
    }

    #[test]
    fn every_api_message_reads_in_japanese_and_english() {
        let args: Vec<(&'static str, String)> =
            ["what", "count", "field", "mib", "detail", "min", "max"]
                .into_iter()
                .map(|k| (k, "7".to_string()))
                .collect();
        for id in defined("api-") {
            for lang in Lang::ALL {
                assert_readable(&id, &t_args(lang, &id, &args));
            }
        }
    }

    #[test]
    fn a_problem_names_its_limit_and_what_was_found_in_both_languages() {
        let wide = Problem::GroupNameTooWide { max: 50, width: 52 };
        let found = Problem::ControlCharacter {
            found: "U+0009".into(),
        };

        assert!(problem(Lang::En, &wide).contains("at most 50 half-width characters"));
        assert!(problem(Lang::En, &wide).contains("counts 52"));
        assert_eq!(
            problem(Lang::Ja, &Problem::PasswordTooShort { min: 6, max: 512 }),
            "半角6～512文字で入力してください。"
        );
        assert!(problem(Lang::En, &found).ends_with("(found: U+0009)"));
        assert!(problem(Lang::Ja, &found).contains("入力された文字: U+0009"));
    }

    #[test]
    fn every_label_of_the_domain_reads_in_japanese_and_english() {
        use meterport_domain::counters::ALL_KEYS;
        for lang in Lang::ALL {
            let mut labels: Vec<(String, String)> = Vec::new();
            for k in ALL_KEYS {
                labels.push((format!("{k:?}"), key_label(k, lang)));
                labels.push((
                    format!("lfp {k:?}"),
                    counter_label(k, DeviceClass::Lfp, lang),
                ));
            }
            labels.extend(Status::ALL.map(|s| (format!("{s:?}"), status_label(s, lang))));
            labels.extend(DeviceType::ALL.map(|d| (format!("{d:?}"), type_label(d, lang))));
            labels.extend(LfpUnit::ALL.map(|u| (format!("{u:?}"), lfp_unit_label(u, lang))));
            labels.extend(Heading::ALL.map(|h| (format!("{h:?}"), heading(h, lang))));
            labels.extend(View::ALL.map(|v| (format!("{v:?}"), view_label(v, lang))));
            for (what, text) in &labels {
                assert!(!text.trim().is_empty(), "{what} has no label");
                assert!(!text.starts_with('['), "{what} has no label: {text}");
            }
            let distinct: BTreeSet<String> = ALL_KEYS.iter().map(|k| key_label(*k, lang)).collect();
            assert_eq!(
                distinct.len(),
                ALL_KEYS.len(),
                "{lang:?} repeats a counter label"
            );
        }
    }

    #[test]
    fn every_known_condition_and_supply_colour_reads_in_japanese_and_english() {
        use meterport_domain::device::SUPPLY_COLORS;
        use meterport_domain::status::ConditionTopic;
        for lang in Lang::ALL {
            let mut labels: Vec<String> = SUPPLY_COLORS
                .iter()
                .map(|c| supply_color_label(c, lang))
                .collect();
            for topic in ConditionTopic::ALL {
                labels.push(condition_label(KnownCondition { topic, color: None }, lang));
                let colored = KnownCondition {
                    topic,
                    color: Some("cyan"),
                };
                if matches!(
                    topic,
                    ConditionTopic::TonerLow
                        | ConditionTopic::TonerEmpty
                        | ConditionTopic::InkLow
                        | ConditionTopic::InkEmpty
                ) {
                    let label = condition_label(colored, lang);
                    assert!(label.contains(&supply_color_label("cyan", lang)), "{label}");
                    labels.push(label);
                }
            }
            for text in &labels {
                assert!(
                    !text.trim().is_empty() && !text.starts_with('['),
                    "{lang:?}: {text}"
                );
            }
        }
        assert_eq!(
            condition_label(
                KnownCondition {
                    topic: ConditionTopic::TonerLow,
                    color: Some("cyan")
                },
                Lang::Ja
            ),
            "シアントナーが少なくなっています"
        );
    }

    #[test]
    fn japanese_labels_are_the_seed_manual_s_words() {
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
        assert_eq!(view_label(View::Paper, Lang::Ja), "用紙サイズ");
        let statuses = Status::ALL.map(|s| status_label(s, Lang::Ja));
        assert_eq!(
            statuses,
            ["不明", "通常", "ワーニング", "エラー", "サービスコール"]
        );
        assert_eq!(status_label(Status::ServiceCall, Lang::En), "Service call");
        let units = LfpUnit::ALL.map(|u| lfp_unit_label(u, Lang::Ja));
        assert_eq!(
            units,
            ["A4換算枚数", "レター換算枚数", "面積(m²)", "面積(sq.ft)"]
        );
        assert_eq!(lfp_unit_label(LfpUnit::Sqft, Lang::En), "sq ft");
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
