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
    notes: Vec<String>,
    footer: String,
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
            notes: Vec::new(),
            footer: t(lang, "mail-footer"),
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
