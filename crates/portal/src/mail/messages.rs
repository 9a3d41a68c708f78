//! What the portal's mails say: each mail is a set of subject, text part and HTML part, in
//! the recipient's display language (S25), from the keys of `locales/*/mail.ftl`.
//!
//! Every mail has the same shape (a greeting, paragraphs, at most one link, notes, a footer),
//! so one pair of templates renders them all: `templates/mail/mail.txt` and
//! `templates/mail/mail.html` (askama escapes the HTML part, not the text part). A function per
//! mail picks the words.

use askama::Template;
use jiff::tz::TimeZone;
use meterport_store::outbox::NewMail;
use meterport_store::tenants::Tenant;
use meterport_store::users::User;

use crate::i18n::{Lang, t, t_args};

/// Who a mail goes to, and how to address them.
#[derive(Clone)]
pub struct Recipient {
    pub address: String,
    pub lang: Lang,
    /// The user's name in the mail's language (`meterport_domain::person::display_name`).
    pub name: String,
    pub username: String,
    /// Times in the mail are in this zone (the user's, else the tenant's).
    pub tz: TimeZone,
}

impl Recipient {
    /// A user of a tenant, at `address` (the new address for a confirmation, the current
    /// or old one otherwise).
    pub fn user(user: &User, tenant: &Tenant, address: &str) -> Recipient {
        let lang = Lang::parse(&user.language).unwrap_or_default();
        Recipient {
            address: address.to_string(),
            lang,
            name: meterport_domain::person::display_name(
                lang.name_order(),
                &user.first_name,
                &user.last_name,
                &user.username,
            ),
            username: user.username.clone(),
            tz: user
                .timezone
                .as_deref()
                .and_then(|z| TimeZone::get(z).ok())
                .unwrap_or_else(|| tenant.tz()),
        }
    }

    /// A time as the recipient reads it: `2021/12/01 09:00 (Asia/Tokyo)`.
    fn time(&self, ms: i64) -> String {
        let when = jiff::Timestamp::from_millisecond(ms)
            .map(|t| {
                t.to_zoned_datetime(self.tz.clone())
                    .strftime("%Y/%m/%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        match self.tz.iana_name() {
            Some(zone) => format!("{when} ({zone})"),
            None => when,
        }
    }
}

/// One mail's words, before rendering.
struct Mail {
    lang: Lang,
    /// The portal's name, at the top of the HTML part.
    brand: String,
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    /// The button's label and the link (the text part shows the link itself).
    action: Option<(String, String)>,
    /// Listed things (a device and its condition), each with its lines and its own link.
    items: Vec<MailItem>,
    notes: Vec<String>,
    footer: String,
}

/// One thing a mail lists: a title, lines under it, and a link to it.
struct MailItem {
    title: String,
    lines: Vec<String>,
    link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "mail/mail.txt")]
struct TextPart<'a> {
    m: &'a Mail,
}

#[derive(Template)]
#[template(path = "mail/mail.html")]
struct HtmlPart<'a> {
    m: &'a Mail,
}

impl Mail {
    fn new(to: &Recipient, subject_key: &str) -> Mail {
        let lang = to.lang;
        Mail {
            lang,
            brand: t(lang, "app-name"),
            subject: t(lang, subject_key),
            greeting: t_args(lang, "mail-greeting", &[("name", to.name.clone())]),
            paragraphs: Vec::new(),
            action: None,
            items: Vec::new(),
            notes: Vec::new(),
            footer: t(lang, "mail-footer"),
        }
    }

    /// Lists a device: its name, these lines, then its model, place and group, as every
    /// device mail says them, and a link to its page.
    fn device_item(
        &mut self,
        name: &str,
        mut lines: Vec<String>,
        product: &str,
        place: &str,
        group: Option<&str>,
        link: &str,
    ) {
        let lang = self.lang;
        lines.push(t_args(
            lang,
            "mail-status-product",
            &[("product", product.to_string())],
        ));
        if !place.is_empty() {
            lines.push(t_args(
                lang,
                "mail-status-place",
                &[("place", place.to_string())],
            ));
        }
        if let Some(group) = group {
            lines.push(t_args(
                lang,
                "mail-status-group",
                &[("group", group.to_string())],
            ));
        }
        self.items.push(MailItem {
            title: name.to_string(),
            lines,
            link: Some((t(lang, "mail-status-open-device"), link.to_string())),
        });
    }

    /// Says how many of `total` things the list leaves out after `listed`.
    fn more_than_listed(&mut self, total: usize, listed: usize) {
        if total > listed {
            let more = (total - listed).to_string();
            let text = t_args(self.lang, "mail-status-more", &[("count", more)]);
            self.paragraphs.push(text);
        }
    }

    fn render(self, to: &Recipient) -> NewMail {
        // The templates are checked at compile time and have no fallible filters: a failure
        // here is a bug, and a mail with its words but no layout is better than none.
        let text = TextPart { m: &self }.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "mail text template failed");
            self.paragraphs.join("\n\n")
        });
        let html = HtmlPart { m: &self }.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "mail HTML template failed");
            String::new()
        });
        NewMail {
            to: to.address.clone(),
            subject: self.subject,
            text,
            html,
        }
    }
}

/// S4: the single-use link that lets a user set a new password, valid until `expires_at`.
pub fn reset_password(to: &Recipient, link: &str, expires_at: i64) -> NewMail {
    let lang = to.lang;
    let mut m = Mail::new(to, "mail-reset-subject");
    m.paragraphs.push(t_args(
        lang,
        "mail-reset-body",
        &[("username", to.username.clone())],
    ));
    m.action = Some((t(lang, "mail-reset-action"), link.to_string()));
    m.notes.push(t_args(
        lang,
        "mail-reset-validity",
        &[("until", to.time(expires_at))],
    ));
    m.notes.push(t(lang, "mail-reset-ignore"));
    m.render(to)
}

/// S26: the single-use link that confirms a new notification address, sent to that
/// address, valid until `expires_at`.
pub fn confirm_email(to: &Recipient, link: &str, expires_at: i64) -> NewMail {
    let lang = to.lang;
    let mut m = Mail::new(to, "mail-confirm-subject");
    m.paragraphs.push(t_args(
        lang,
        "mail-confirm-body",
        &[("username", to.username.clone())],
    ));
    m.action = Some((t(lang, "mail-confirm-action"), link.to_string()));
    m.notes.push(t_args(
        lang,
        "mail-confirm-validity",
        &[("until", to.time(expires_at))],
    ));
    m.notes.push(t(lang, "mail-confirm-ignore"));
    m.render(to)
}

/// The notice to the old address after a new notification address was confirmed at `at`:
/// the owner of the old mailbox learns of a change they may not have made.
pub fn email_changed(to: &Recipient, at: i64) -> NewMail {
    let lang = to.lang;
    let mut m = Mail::new(to, "mail-changed-subject");
    m.paragraphs.push(t_args(
        lang,
        "mail-changed-body",
        &[("username", to.username.clone()), ("when", to.time(at))],
    ));
    m.notes.push(t(lang, "mail-changed-not-you"));
    m.render(to)
}

/// A device condition a status mail reports (S23).
#[derive(Debug, Clone)]
pub struct ConditionNotice {
    pub device_name: String,
    pub product: String,
    /// Building and location, as the device list shows them.
    pub place: String,
    pub group: Option<String>,
    pub severity: meterport_domain::status::Severity,
    pub code: String,
    pub message: String,
    pub since: i64,
    /// The device's page.
    pub link: String,
}

/// Conditions listed in one status mail at most; the rest are counted and linked.
pub const MAX_LISTED_CONDITIONS: usize = 50;

/// S23: conditions that opened on devices the user chose to hear about. One condition names
/// its device in the subject; several are listed, the most severe first.
pub fn conditions_opened(
    to: &Recipient,
    notices: &[ConditionNotice],
    devices_link: &str,
) -> NewMail {
    use meterport_domain::status::Status;
    let lang = to.lang;
    let mut sorted: Vec<&ConditionNotice> = notices.iter().collect();
    sorted.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.since.cmp(&b.since)));
    let mut m = Mail::new(to, "mail-status-subject-many");
    m.subject = match sorted.as_slice() {
        [one] => t_args(
            lang,
            "mail-status-subject-one",
            &[
                (
                    "severity",
                    crate::i18n::status_label(Status::from(one.severity), lang),
                ),
                ("device", one.device_name.clone()),
            ],
        ),
        _ => t_args(
            lang,
            "mail-status-subject-many",
            &[("count", notices.len().to_string())],
        ),
    };
    m.paragraphs.push(t(lang, "mail-status-body"));
    for n in sorted.iter().take(MAX_LISTED_CONDITIONS) {
        let mut lines = vec![t_args(
            lang,
            "mail-status-condition",
            &[
                (
                    "severity",
                    crate::i18n::status_label(Status::from(n.severity), lang),
                ),
                ("code", n.code.clone()),
                ("message", n.message.clone()),
            ],
        )];
        lines.push(t_args(
            lang,
            "mail-status-since",
            &[("since", to.time(n.since))],
        ));
        m.device_item(
            &n.device_name,
            lines,
            &n.product,
            &n.place,
            n.group.as_deref(),
            &n.link,
        );
    }
    m.more_than_listed(sorted.len(), MAX_LISTED_CONDITIONS);
    m.action = Some((t(lang, "mail-status-open-list"), devices_link.to_string()));
    m.notes.push(t(lang, "mail-status-why"));
    m.render(to)
}

/// A low or empty supply a toner/ink mail reports.
#[derive(Debug, Clone)]
pub struct SupplyNotice {
    pub device_name: String,
    pub product: String,
    pub place: String,
    /// The supply as the device names it ("Black Toner").
    pub supply: String,
    pub empty: bool,
    pub level_percent: Option<i64>,
    /// The day it is expected to run out (B1), when the history tells.
    pub expected_empty: Option<jiff::civil::Date>,
    /// The device's page.
    pub link: String,
}

/// S23: a device's toner/ink administrator is told that supplies run low (the daily
/// digest) or are empty (at once).
pub fn supplies_low(to: &Recipient, notices: &[SupplyNotice], supplies_link: &str) -> NewMail {
    let lang = to.lang;
    let any_empty = notices.iter().any(|n| n.empty);
    let mut m = Mail::new(to, "mail-supplies-subject");
    let mut devices: Vec<&str> = notices.iter().map(|n| n.device_name.as_str()).collect();
    devices.dedup();
    m.subject = match devices.as_slice() {
        [one] => t_args(
            lang,
            if any_empty {
                "mail-supplies-subject-empty-one"
            } else {
                "mail-supplies-subject-one"
            },
            &[("device", one.to_string())],
        ),
        _ => t_args(
            lang,
            if any_empty {
                "mail-supplies-subject-empty-many"
            } else {
                "mail-supplies-subject-many"
            },
            &[("count", devices.len().to_string())],
        ),
    };
    m.paragraphs.push(t(lang, "mail-supplies-body"));
    for n in notices {
        let level = match (n.empty, n.level_percent) {
            (true, _) => t(lang, "mail-supplies-empty"),
            (false, Some(l)) => t_args(lang, "mail-supplies-level", &[("level", l.to_string())]),
            (false, None) => t(lang, "mail-supplies-low"),
        };
        let mut lines = vec![format!("{}: {level}", n.supply)];
        if let (false, Some(day)) = (n.empty, n.expected_empty) {
            lines.push(t_args(
                lang,
                "mail-supplies-expected-empty",
                &[("date", day.strftime("%Y/%m/%d").to_string())],
            ));
        }
        m.device_item(&n.device_name, lines, &n.product, &n.place, None, &n.link);
    }
    m.action = Some((
        t(lang, "mail-supplies-open-list"),
        supplies_link.to_string(),
    ));
    m.notes.push(t(lang, "mail-supplies-why"));
    m.render(to)
}

/// A device that stopped reporting, as a mail reports it.
#[derive(Debug, Clone)]
pub struct LateDeviceNotice {
    pub device_name: String,
    pub product: String,
    pub place: String,
    pub group: Option<String>,
    /// When the portal last heard from it.
    pub last_report_at: i64,
    /// Its threshold in hours (its own, or its tenant's).
    pub late_after_hours: i64,
    /// The device's page.
    pub link: String,
}

/// Devices listed in one "not reporting" mail at most; the rest are counted and linked.
pub const MAX_LISTED_LATE: usize = 50;

/// Devices the user chose to hear about stopped reporting: one names its device in the
/// subject; several are listed, the longest silent first.
pub fn devices_not_reporting(
    to: &Recipient,
    notices: &[LateDeviceNotice],
    list_link: &str,
) -> NewMail {
    let lang = to.lang;
    let mut sorted: Vec<&LateDeviceNotice> = notices.iter().collect();
    sorted.sort_by(|a, b| {
        a.last_report_at
            .cmp(&b.last_report_at)
            .then(a.device_name.cmp(&b.device_name))
    });
    let mut m = Mail::new(to, "mail-late-subject-many");
    m.subject = match sorted.as_slice() {
        [one] => t_args(
            lang,
            "mail-late-subject-one",
            &[("device", one.device_name.clone())],
        ),
        _ => t_args(
            lang,
            "mail-late-subject-many",
            &[("count", notices.len().to_string())],
        ),
    };
    m.paragraphs.push(t(lang, "mail-late-body"));
    for n in sorted.iter().take(MAX_LISTED_LATE) {
        let lines = vec![
            t_args(
                lang,
                "mail-late-last-report",
                &[("time", to.time(n.last_report_at))],
            ),
            t_args(
                lang,
                "mail-late-threshold",
                &[("hours", n.late_after_hours.to_string())],
            ),
        ];
        m.device_item(
            &n.device_name,
            lines,
            &n.product,
            &n.place,
            n.group.as_deref(),
            &n.link,
        );
    }
    m.more_than_listed(sorted.len(), MAX_LISTED_LATE);
    m.action = Some((t(lang, "mail-late-open-list"), list_link.to_string()));
    m.notes.push(t(lang, "mail-late-why"));
    m.render(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipient(lang: Lang, name: &str) -> Recipient {
        Recipient {
            address: "yamada@example.com".into(),
            lang,
            name: name.into(),
            username: "yamada".into(),
            tz: TimeZone::get("Asia/Tokyo").unwrap(),
        }
    }

    /// 2021-12-01T00:00:00Z.
    const T0: i64 = 1_638_316_800_000;

    fn notice(code: &str) -> ConditionNotice {
        ConditionNotice {
            device_name: "3F copier".into(),
            product: "iR-ADV C5840".into(),
            place: "HQ 3F".into(),
            group: Some("Sales".into()),
            severity: meterport_domain::status::Severity::Error,
            code: code.into(),
            message: "Paper jam".into(),
            since: T0,
            link: "https://portal.example.com/devices/7".into(),
        }
    }

    fn late(name: &str, hours_ago: i64) -> LateDeviceNotice {
        LateDeviceNotice {
            device_name: name.into(),
            product: "iR-ADV C5840".into(),
            place: "HQ 3F".into(),
            group: None,
            last_report_at: T0 - hours_ago * 3_600_000,
            late_after_hours: 48,
            link: "https://portal.example.com/devices/7".into(),
        }
    }

    #[test]
    fn a_not_reporting_mail_lists_the_longest_silent_first_with_their_last_report() {
        let to = recipient(Lang::En, "Yamada Taro");
        let mail = devices_not_reporting(
            &to,
            &[late("2F printer", 49), late("3F copier", 72)],
            "https://portal.example.com/devices?reporting=late",
        );
        assert_eq!(
            mail.subject,
            "[Customer Portal] 2 devices stopped reporting"
        );
        let first = mail.text.find("3F copier").unwrap();
        assert!(
            first < mail.text.find("2F printer").unwrap(),
            "{}",
            mail.text
        );
        assert!(
            mail.text
                .contains("Last report: 2021/11/28 09:00 (Asia/Tokyo)"),
            "{}",
            mail.text
        );
        assert!(
            mail.text.contains("No report for more than 48 hours"),
            "{}",
            mail.text
        );
        let one = devices_not_reporting(
            &recipient(Lang::Ja, "山田 太郎"),
            &[late("3F copier", 72)],
            "https://portal.example.com/devices?reporting=late",
        );
        assert_eq!(one.subject, "【Customer Portal】報告途絶: 3F copier");
    }

    fn supply(empty: bool) -> SupplyNotice {
        SupplyNotice {
            device_name: "3F copier".into(),
            product: "iR-ADV C5840".into(),
            place: "HQ 3F".into(),
            supply: "Black Toner".into(),
            empty,
            level_percent: Some(if empty { 0 } else { 8 }),
            expected_empty: (!empty).then(|| jiff::civil::date(2021, 12, 9)),
            link: "https://portal.example.com/devices/7".into(),
        }
    }

    #[test]
    fn a_status_mail_lists_at_most_fifty_conditions_and_counts_the_rest() {
        let to = recipient(Lang::En, "Yamada Taro");
        let many: Vec<ConditionNotice> = (0..53).map(|i| notice(&format!("E-{i:02}"))).collect();
        let mail = conditions_opened(&to, &many, "https://portal.example.com/devices");
        assert_eq!(
            mail.subject,
            "[Customer Portal] 53 device conditions need attention"
        );
        assert_eq!(
            mail.text.matches("■ 3F copier").count(),
            50,
            "{}",
            mail.text
        );
        assert!(
            mail.text.contains("3 more are not listed here"),
            "{}",
            mail.text
        );
        assert!(
            mail.text.contains("Since 2021/12/01 09:00 (Asia/Tokyo)"),
            "{}",
            mail.text
        );
    }

    #[test]
    fn every_mail_has_its_words_in_both_languages() {
        for lang in Lang::ALL {
            let to = recipient(lang, "山田 太郎");
            for mail in [
                reset_password(&to, "https://portal.example.com/reset-password/abc", T0),
                confirm_email(
                    &to,
                    "https://portal.example.com/account/email/confirm/abc",
                    T0,
                ),
                email_changed(&to, T0),
                conditions_opened(&to, &[notice("SC-1")], "https://portal.example.com/devices"),
                supplies_low(
                    &to,
                    &[supply(false), supply(true)],
                    "https://portal.example.com/supplies",
                ),
                conditions_opened(
                    &to,
                    &[notice("SC-1"), notice("SC-2")],
                    "https://portal.example.com/devices",
                ),
                devices_not_reporting(
                    &to,
                    &[late("3F copier", 72)],
                    "https://portal.example.com/devices?reporting=late",
                ),
                devices_not_reporting(
                    &to,
                    &[late("3F copier", 72), late("2F printer", 50)],
                    "https://portal.example.com/devices?reporting=late",
                ),
            ] {
                for part in [&mail.subject, &mail.text, &mail.html] {
                    assert!(!part.contains("[mail-"), "a key without a message: {part}");
                }
                assert!(mail.text.contains("山田 太郎"), "{}", mail.text);
                assert!(mail.html.starts_with("<!doctype html>"), "{}", mail.html);
                assert_eq!(mail.to, "yamada@example.com");
            }
        }
    }

    #[test]
    fn the_link_and_its_expiry_are_in_both_parts_in_the_recipient_s_zone() {
        let to = recipient(Lang::En, "Yamada Taro");
        let link = "https://portal.example.com/reset-password/0123abcd";
        let mail = reset_password(&to, link, T0);
        assert_eq!(mail.subject, "[Customer Portal] Reset your password");
        assert!(
            mail.text.contains(&format!("\n{link}\n")),
            "the link on its own line: {}",
            mail.text
        );
        assert!(
            mail.html.contains(&format!("href=\"{link}\"")),
            "{}",
            mail.html
        );
        assert!(
            mail.text.contains("2021/12/01 09:00 (Asia/Tokyo)"),
            "{}",
            mail.text
        );
    }

    #[test]
    fn the_html_part_escapes_what_users_typed_and_the_text_part_keeps_it() {
        let to = recipient(Lang::Ja, "<b>Tom & \"Jerry\"</b>");
        let mail = email_changed(&to, T0);
        assert!(
            mail.text.contains("<b>Tom & \"Jerry\"</b>"),
            "{}",
            mail.text
        );
        assert!(!mail.html.contains("<b>Tom"), "{}", mail.html);
        assert!(mail.html.contains("&#60;b&#62;Tom &#38;"), "{}", mail.html);
    }
}
