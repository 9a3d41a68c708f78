//! The operator's announcements (お知らせ, S5, O1): posted in Japanese and English, shown on
//! every customer user's welcome screen between their dates. The operator API and
//! `meterport admin announcement ...` call these; announcements belong to no tenant.

use meterport_domain::policy::{self, FieldError, Problem, is_control_char};
use meterport_store::StoreError;
use meterport_store::announcements::Announcement;
use serde::Deserialize;
use serde_json::json;

use super::Missing;
use super::Services;
use super::audit::{self, AuditAction};
use super::{Refused, ServiceError, ServiceResult};

/// The longest text of an announcement, in characters, per language.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A new announcement, as the API and the command line receive it. Times are RFC 3339
/// with an offset (`2022-04-01T09:00:00+09:00`); no `shown_until` shows it until deleted.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementInput {
    pub text_ja: Option<String>,
    pub text_en: Option<String>,
    pub shown_from: Option<String>,
    pub shown_until: Option<String>,
}

/// A text of the announcement: required, at most [`MAX_TEXT_CHARS`], line breaks allowed
/// but no other control characters. Returned trimmed.
fn check_text(field: &'static str, raw: Option<&str>, errors: &mut Vec<FieldError>) -> String {
    let text = raw.unwrap_or("").trim();
    if text.is_empty() {
        errors.push(policy::required(field));
    } else if text.chars().count() > MAX_TEXT_CHARS {
        errors.push(policy::too_long(field, MAX_TEXT_CHARS));
    }
    if text
        .chars()
        .any(|c| c != '\n' && c != '\r' && c != '\t' && is_control_char(c))
    {
        errors.push(FieldError::new(field, Problem::ControlCharacterInText));
    }
    text.to_string()
}

/// An RFC 3339 time with an offset, as UTC milliseconds.
fn check_time(field: &'static str, raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<i64> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match raw.parse::<jiff::Timestamp>() {
        Ok(t) => Some(t.as_millisecond()),
        Err(_) => {
            errors.push(FieldError::new(field, Problem::InvalidTime));
            None
        }
    }
}

/// Posts an announcement (O1). Every broken rule is reported at once.
pub async fn create_announcement(
    svc: &Services,
    actor: &str,
    input: AnnouncementInput,
    now: i64,
) -> ServiceResult<Announcement> {
    let store = svc.store();
    let mut errors = Vec::new();
    let text_ja = check_text("text_ja", input.text_ja.as_deref(), &mut errors);
    let text_en = check_text("text_en", input.text_en.as_deref(), &mut errors);
    let from_given = input
        .shown_from
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    let shown_from = check_time("shown_from", input.shown_from.as_deref(), &mut errors);
    if !from_given {
        errors.push(policy::required("shown_from"));
    }
    let shown_until = check_time("shown_until", input.shown_until.as_deref(), &mut errors);
    if let (Some(from), Some(until)) = (shown_from, shown_until)
        && until <= from
    {
        errors.push(FieldError::new("shown_until", Problem::EndNotAfterStart));
    }
    let (Some(shown_from), true) = (shown_from, errors.is_empty()) else {
        return Err(ServiceError::invalid(
            Refused::AnnouncementNotCreated,
            errors,
        ));
    };
    let mut change = store.change().await?;
    let a = change
        .create_announcement(&text_ja, &text_en, shown_from, shown_until, now)
        .await?;
    audit::record(
        &mut change,
        None,
        actor,
        AuditAction::AnnouncementCreated,
        &json!({"announcement_id": a.id}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(a)
}

/// Every announcement, newest first, shown or not.
pub async fn list_announcements(svc: &Services) -> ServiceResult<Vec<Announcement>> {
    let store = svc.store();
    Ok(store.list_announcements_all().await?)
}

/// Deletes an announcement; an unknown id is [`ServiceError::NotFound`].
pub async fn delete_announcement(
    svc: &Services,
    actor: &str,
    id: i64,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    let mut change = store.change().await?;
    change.delete_announcement(id).await.map_err(|e| match e {
        StoreError::NotFound => ServiceError::NotFound(Missing::Announcement),
        other => ServiceError::Store(other),
    })?;
    audit::record(
        &mut change,
        None,
        actor,
        AuditAction::AnnouncementDeleted,
        &json!({"announcement_id": id}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_required_short_and_free_of_control_characters() {
        let mut errors = Vec::new();
        assert_eq!(
            check_text("text_ja", Some("  点検のお知らせ\n詳細は…  "), &mut errors),
            "点検のお知らせ\n詳細は…"
        );
        assert!(errors.is_empty());
        check_text("text_ja", Some("   "), &mut errors);
        check_text(
            "text_en",
            Some(&"x".repeat(MAX_TEXT_CHARS + 1)),
            &mut errors,
        );
        check_text("text_en", Some("bell\u{7}"), &mut errors);
        let codes: Vec<_> = errors.iter().map(|e| (e.field, e.code())).collect();
        assert_eq!(
            codes,
            [
                ("text_ja", "required"),
                ("text_en", "too_long"),
                ("text_en", "control_character")
            ]
        );
        let mut none = Vec::new();
        check_text("text_ja", Some(&"あ".repeat(MAX_TEXT_CHARS)), &mut none);
        assert!(none.is_empty(), "the limit counts characters, not bytes");
    }

    #[test]
    fn times_need_an_offset() {
        let mut errors = Vec::new();
        assert_eq!(
            check_time("shown_from", Some("2022-04-01T09:00:00+09:00"), &mut errors),
            Some(1_648_771_200_000)
        );
        assert_eq!(check_time("shown_until", None, &mut errors), None);
        assert!(errors.is_empty());
        assert_eq!(
            check_time("shown_from", Some("2022-04-01 09:00"), &mut errors),
            None
        );
        assert_eq!(errors[0].code(), "invalid_time");
    }
}
