//! Input policies: passwords (S24), device-group names (S22), user names, e-mail addresses and
//! tenant names, plus [`FieldError`], the one error type every validation of the domain returns.
//!
//! Every check collects *all* the rules a value breaks, each as its own [`FieldError`], so a
//! form can show every problem at once instead of one per submit.

use std::fmt::Write as _;

/// One broken rule of one input field.
///
/// The domain says *what* is wrong, never in words: `problem` is typed, with the values a
/// message needs (the limit, the characters found). Each front door words it from the
/// message catalogue (`portal::i18n`), in Japanese or English. [`FieldError::code`] is
/// stable and meant for programs (API `details`, tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem:?}")]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: &'static str, problem: Problem) -> FieldError {
        FieldError { field, problem }
    }

    /// The stable code of the broken rule, such as `too_long`.
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
}

/// What rule a value broke, with what a message needs to name it. Several problems share a
/// code (`required`, `taken`) where they differ only in how they are worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    /// Control characters were found (written as `U+XXXX`).
    ControlCharacter {
        found: String,
    },
    /// Control characters other than line breaks and tabs were found, in a multi-line text.
    ControlCharacterInText,
    /// Control characters were found in what a device reported (not repeated back).
    ControlCharacterNotNamed,
    /// Characters the field's rule does not allow were found.
    InvalidCharacter {
        rule: CharRule,
        found: String,
    },
    InvalidChoice {
        choices: String,
    },
    /// Not a whole number from `min` to `max`.
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// Not a whole number from `min` to `max`, nor null.
    OutOfRangeOrNull {
        min: i64,
        max: i64,
    },

    // Passwords (S24).
    PasswordRequired,
    PasswordTooShort {
        min: usize,
        max: usize,
    },
    PasswordTooLong {
        min: usize,
        max: usize,
    },
    PasswordNotHalfWidth,
    PasswordMissingLowercase,
    PasswordMissingDigit,
    PasswordSameAsCurrent,
    /// The confirmation differs from the new password.
    PasswordMismatch,

    // Device-group names (S22).
    GroupNameRequired,
    GroupNameTooWide {
        max: usize,
        width: usize,
    },
    GroupNameForbiddenCharacter {
        forbidden: String,
        found: String,
    },
    GroupNameHalfWidthKatakana {
        found: String,
    },
    /// The tenant has as many groups as it may.
    TooManyGroups {
        max: usize,
    },
    GroupNameTaken,
    /// No device of the tenant has these ids (comma-separated).
    UnknownDevices {
        ids: String,
    },
    /// A device is already in another group.
    DeviceInOtherGroup {
        device_id: i64,
        serial: String,
        group: String,
    },
    /// A group change that names neither a new name nor devices.
    NothingToChange,

    // User names, e-mail addresses.
    UsernameTooShort {
        min: usize,
        max: usize,
    },
    UsernameTooLong {
        min: usize,
        max: usize,
    },
    UsernameTaken,
    UnknownUser,
    EmailFullWidth,
    EmailInvalid,

    // Devices.
    LfpUnitRequired,
    LfpUnitNotAllowed,
    InvalidMac,
    InvalidHost,
    InvalidUrl,
    SerialTaken,

    // Tenants and their settings.
    TenantNameTaken,
    InvalidTimezone,
    RetentionOutOfRange {
        max: i64,
    },

    // Announcements.
    InvalidTime,
    EndNotAfterStart,

    /// A unique value already in use, found by the store.
    InUse,
    /// A request body whose fields do not have the expected shape; `detail` is the JSON
    /// parser's own account, for programs.
    InvalidJson {
        detail: String,
    },
}

/// Which characters a field allows, for [`Problem::InvalidCharacter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharRule {
    /// `A-Z a-z 0-9 . _ @ -`
    Username,
    /// `A-Z a-z 0-9 . _ -`
    Serial,
    /// No white space or control characters.
    Email,
    /// Printable ASCII without spaces.
    ConditionCode,
}

impl Problem {
    /// The stable code of the rule, for programs.
    pub fn code(&self) -> &'static str {
        use Problem::*;
        match self {
            Required | PasswordRequired | GroupNameRequired | LfpUnitRequired => "required",
            TooLong { .. } | PasswordTooLong { .. } | UsernameTooLong { .. } => "too_long",
            PasswordTooShort { .. } | UsernameTooShort { .. } => "too_short",
            ControlCharacter { .. } | ControlCharacterInText | ControlCharacterNotNamed => {
                "control_character"
            }
            InvalidCharacter { .. } => "invalid_character",
            InvalidChoice { .. } => "invalid_choice",
            OutOfRange { .. } | OutOfRangeOrNull { .. } => "out_of_range",
            PasswordNotHalfWidth => "not_half_width",
            PasswordMissingLowercase => "missing_lowercase",
            PasswordMissingDigit => "missing_digit",
            PasswordSameAsCurrent => "same_as_current",
            PasswordMismatch => "mismatch",
            GroupNameTooWide { .. } => "too_wide",
            GroupNameForbiddenCharacter { .. } => "forbidden_character",
            GroupNameHalfWidthKatakana { .. } => "half_width_katakana",
            TooManyGroups { .. } => "too_many_groups",
            GroupNameTaken | UsernameTaken | SerialTaken | TenantNameTaken | InUse => "taken",
            UnknownDevices { .. } => "unknown_device",
            DeviceInOtherGroup { .. } => "in_other_group",
            NothingToChange => "nothing_to_change",
            UnknownUser => "unknown_user",
            EmailFullWidth => "full_width",
            EmailInvalid => "invalid",
            LfpUnitNotAllowed => "lfp_unit_not_allowed",
            InvalidMac => "invalid_mac",
            InvalidHost => "invalid_host",
            InvalidUrl => "invalid_url",
            InvalidTimezone => "invalid_timezone",
            RetentionOutOfRange { .. } => "out_of_range",
            InvalidTime => "invalid_time",
            EndNotAfterStart => "before_start",
            InvalidJson { .. } => "invalid_json",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared building blocks, also used by `device` and `status`.
// ---------------------------------------------------------------------------------------------

/// Whether `c` may not appear in text that people will read: the C0 and C1 control characters
/// and DEL, plus the invisible line/paragraph separators and bidirectional overrides, which
/// could make a name display as something other than what it is.
pub fn is_control_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The characters of `chars`, each once in order of first appearance, separated by spaces.
/// Characters that cannot be seen (controls, spaces) are written as `U+XXXX`.
pub(crate) fn describe_chars(chars: impl IntoIterator<Item = char>) -> String {
    let mut seen: Vec<char> = Vec::new();
    for c in chars {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    let mut out = String::new();
    for c in seen {
        if !out.is_empty() {
            out.push(' ');
        }
        if is_control_char(c) || c.is_whitespace() {
            let _ = write!(out, "U+{:04X}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// The value trimmed of surrounding white space (Unicode White_Space, which includes the
/// full-width space U+3000), or `None` when absent or blank: an empty form field and a
/// missing JSON member mean the same.
pub(crate) fn non_blank(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

pub fn required(field: &'static str) -> FieldError {
    FieldError::new(field, Problem::Required)
}

pub fn too_long(field: &'static str, max: usize) -> FieldError {
    FieldError::new(field, Problem::TooLong { max })
}

/// An error naming the control characters found in `value`, if there are any.
pub(crate) fn control_chars(field: &'static str, value: &str) -> Option<FieldError> {
    let found: Vec<char> = value.chars().filter(|&c| is_control_char(c)).collect();
    if found.is_empty() {
        return None;
    }
    Some(FieldError::new(
        field,
        Problem::ControlCharacter {
            found: describe_chars(found),
        },
    ))
}

/// An error naming the characters of `value` that `allowed` refuses, if there are any;
/// `rule` says what is allowed.
pub(crate) fn invalid_chars(
    field: &'static str,
    value: &str,
    allowed: impl Fn(char) -> bool,
    rule: CharRule,
) -> Option<FieldError> {
    let found: Vec<char> = value.chars().filter(|&c| !allowed(c)).collect();
    if found.is_empty() {
        return None;
    }
    Some(FieldError::new(
        field,
        Problem::InvalidCharacter {
            rule,
            found: describe_chars(found),
        },
    ))
}

pub fn invalid_choice(field: &'static str, choices: &[&str]) -> FieldError {
    FieldError::new(
        field,
        Problem::InvalidChoice {
            choices: choices.join(", "),
        },
    )
}

/// A free text such as a name or a place: trimmed, at most `max` characters, no control
/// characters. Pushes what is wrong onto `errors`; returns the trimmed text when it is
/// present and valid.
pub(crate) fn check_text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
    is_required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let Some(value) = non_blank(raw) else {
        if is_required {
            errors.push(required(field));
        }
        return None;
    };
    let before = errors.len();
    if value.chars().count() > max {
        errors.push(too_long(field, max));
    }
    errors.extend(control_chars(field, value));
    (errors.len() == before).then(|| value.to_string())
}

fn into_result<T>(value: T, errors: Vec<FieldError>) -> Result<T, Vec<FieldError>> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------------------------
// Passwords (S24)
// ---------------------------------------------------------------------------------------------

pub const PASSWORD_MIN_CHARS: usize = 6;
pub const PASSWORD_MAX_CHARS: usize = 512;

/// Checks a new password against S24: 6 to 512 half-width characters (printable ASCII, the
/// space included), at least one lower-case letter a-z and one digit 0-9, different from
/// `current` when given, and equal to `confirmation` when given.
///
/// Errors of the new password have the field `new_password` and the codes `required`,
/// `too_short`, `too_long`, `not_half_width`, `missing_lowercase`, `missing_digit`,
/// `same_as_current`; a confirmation that differs gives `mismatch` on the field
/// `confirmation`. Messages never repeat the password's characters. The password is not
/// trimmed: every character the user typed is part of it.
pub fn check_password(
    new: &str,
    current: Option<&str>,
    confirmation: Option<&str>,
) -> Result<(), Vec<FieldError>> {
    const FIELD: &str = "new_password";
    let mut errors = Vec::new();

    if new.is_empty() {
        errors.push(FieldError::new(FIELD, Problem::PasswordRequired));
    } else {
        let length = new.chars().count();
        let (min, max) = (PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS);
        if length < PASSWORD_MIN_CHARS {
            errors.push(FieldError::new(
                FIELD,
                Problem::PasswordTooShort { min, max },
            ));
        } else if length > PASSWORD_MAX_CHARS {
            errors.push(FieldError::new(
                FIELD,
                Problem::PasswordTooLong { min, max },
            ));
        }
        if !new.chars().all(|c| matches!(c, ' '..='~')) {
            errors.push(FieldError::new(FIELD, Problem::PasswordNotHalfWidth));
        }
        if !new.chars().any(|c| c.is_ascii_lowercase()) {
            errors.push(FieldError::new(FIELD, Problem::PasswordMissingLowercase));
        }
        if !new.chars().any(|c| c.is_ascii_digit()) {
            errors.push(FieldError::new(FIELD, Problem::PasswordMissingDigit));
        }
        if current == Some(new) {
            errors.push(FieldError::new(FIELD, Problem::PasswordSameAsCurrent));
        }
    }

    if let Some(confirmation) = confirmation
        && confirmation != new
    {
        errors.push(FieldError::new("confirmation", Problem::PasswordMismatch));
    }

    into_result((), errors)
}

// ---------------------------------------------------------------------------------------------
// Device-group names (S22, seed 7-1)
// ---------------------------------------------------------------------------------------------

/// At most this many groups per tenant (S22); the store enforces it.
pub const MAX_GROUPS_PER_TENANT: usize = 200;

/// The widest group name, in half-width units (a full-width character counts 2).
pub const GROUP_NAME_MAX_WIDTH: usize = 50;

/// The characters a group name may not contain (seed 7-1). The seed writes `¥` where a
/// Japanese font shows the backslash U+005C as a yen sign, so both are refused.
pub const GROUP_NAME_FORBIDDEN: [char; 10] = ['"', '%', '&', '\'', '/', ';', '<', '>', '\\', '¥'];

fn is_half_width_katakana(c: char) -> bool {
    // The Halfwidth Katakana block, with the half-width 。「」、・ in front of it.
    ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

/// The width of a group name as the seed counts it: ASCII and half-width katakana count 1,
/// every other character counts 2 (as a full-width character).
pub fn group_name_width(name: &str) -> usize {
    name.chars()
        .map(|c| {
            if c.is_ascii() || is_half_width_katakana(c) {
                1
            } else {
                2
            }
        })
        .sum()
}

/// Checks a device-group name (S22) and returns it trimmed of surrounding white space
/// (the full-width space U+3000 included).
///
/// Errors have the field `name` and the codes `required`, `too_wide` (more than 50
/// half-width units), `forbidden_character`, `half_width_katakana` and `control_character`;
/// the last three name the offending characters. Uniqueness within the tenant and the limit
/// of [`MAX_GROUPS_PER_TENANT`] are the store's to check.
pub fn check_group_name(name: &str) -> Result<String, Vec<FieldError>> {
    const FIELD: &str = "name";
    let name = name.trim();
    if name.is_empty() {
        return Err(vec![FieldError::new(FIELD, Problem::GroupNameRequired)]);
    }
    let mut errors = Vec::new();

    let width = group_name_width(name);
    if width > GROUP_NAME_MAX_WIDTH {
        errors.push(FieldError::new(
            FIELD,
            Problem::GroupNameTooWide {
                max: GROUP_NAME_MAX_WIDTH,
                width,
            },
        ));
    }

    let forbidden: Vec<char> = name
        .chars()
        .filter(|c| GROUP_NAME_FORBIDDEN.contains(c))
        .collect();
    if !forbidden.is_empty() {
        errors.push(FieldError::new(
            FIELD,
            Problem::GroupNameForbiddenCharacter {
                forbidden: describe_chars(GROUP_NAME_FORBIDDEN),
                found: describe_chars(forbidden),
            },
        ));
    }

    let katakana: Vec<char> = name
        .chars()
        .filter(|&c| is_half_width_katakana(c))
        .collect();
    if !katakana.is_empty() {
        errors.push(FieldError::new(
            FIELD,
            Problem::GroupNameHalfWidthKatakana {
                found: describe_chars(katakana),
            },
        ));
    }

    errors.extend(control_chars(FIELD, name));
    into_result(name.to_string(), errors)
}

// ---------------------------------------------------------------------------------------------
// User names, e-mail addresses, tenant names
// ---------------------------------------------------------------------------------------------

pub const USERNAME_MIN_CHARS: usize = 3;
pub const USERNAME_MAX_CHARS: usize = 64;

fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-')
}

/// Checks a login name and returns it trimmed and lower-cased, so that `Sato` and `sato`
/// are the same account: 3 to 64 characters among `A-Z a-z 0-9 . _ @ -`.
///
/// Field `username`; codes `required`, `too_short`, `too_long`, `invalid_character`.
pub fn normalize_username(s: &str) -> Result<String, Vec<FieldError>> {
    const FIELD: &str = "username";
    let s = s.trim();
    if s.is_empty() {
        return Err(vec![required(FIELD)]);
    }
    let mut errors = Vec::new();
    let length = s.chars().count();
    let (min, max) = (USERNAME_MIN_CHARS, USERNAME_MAX_CHARS);
    if length < USERNAME_MIN_CHARS {
        errors.push(FieldError::new(
            FIELD,
            Problem::UsernameTooShort { min, max },
        ));
    } else if length > USERNAME_MAX_CHARS {
        errors.push(FieldError::new(
            FIELD,
            Problem::UsernameTooLong { min, max },
        ));
    }
    errors.extend(invalid_chars(
        FIELD,
        s,
        is_username_char,
        CharRule::Username,
    ));
    into_result(s.to_ascii_lowercase(), errors)
}

pub const EMAIL_MAX_CHARS: usize = 254;

/// Characters that only appear in quoted local parts or in display names ("Name <a@b>"),
/// neither of which we accept: refusing them keeps an address from smuggling anything into a
/// mail header.
const EMAIL_SPECIALS: [char; 11] = ['"', '(', ')', ',', ':', ';', '<', '>', '[', ']', '\\'];

/// Checks an e-mail address, pragmatically: trimmed; at most 254 characters; no white space
/// or control characters; exactly one `@` with a non-empty local part (at most 64 characters)
/// before it and, after it, `localhost` or a domain of at least two dot-separated labels of
/// letters, digits and hyphens. Returns the trimmed address as given (the local part may be
/// case-sensitive).
///
/// Field `email`; codes `required`, `too_long`, `invalid_character`, `invalid`.
pub fn check_email(s: &str) -> Result<String, Vec<FieldError>> {
    const FIELD: &str = "email";
    let s = s.trim();
    if s.is_empty() {
        return Err(vec![required(FIELD)]);
    }
    let mut errors = Vec::new();
    if s.chars().count() > EMAIL_MAX_CHARS {
        errors.push(too_long(FIELD, EMAIL_MAX_CHARS));
    }
    errors.extend(invalid_chars(
        FIELD,
        s,
        |c| !(c.is_whitespace() || is_control_char(c)),
        CharRule::Email,
    ));
    // Full-width letters, digits, `＠` and the ideographic space are what a Japanese input
    // method types by mistake; such an address does not reach its owner, and saying so
    // helps more than "wrong format".
    if s.chars()
        .any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}')
    {
        errors.push(FieldError::new(FIELD, Problem::EmailFullWidth));
    } else if !is_email_shape(s) {
        errors.push(FieldError::new(FIELD, Problem::EmailInvalid));
    }
    into_result(s.to_string(), errors)
}

fn is_email_shape(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    if domain.contains('@') || s.contains(EMAIL_SPECIALS) {
        return false;
    }
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    // Letters are not limited to ASCII so that internationalised domain names pass.
    let label_ok = |label: &str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let domain_ok = domain.eq_ignore_ascii_case("localhost")
        || (domain.contains('.') && domain.split('.').all(label_ok));
    local_ok && domain_ok
}

pub const TENANT_NAME_MAX_CHARS: usize = 100;

/// Checks a tenant (customer company) name and returns it trimmed: required, at most 100
/// characters, no control characters.
///
/// Field `name`; codes `required`, `too_long`, `control_character`.
pub fn check_tenant_name(s: &str) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = check_text("name", Some(s), TENANT_NAME_MAX_CHARS, true, &mut errors);
    match name {
        Some(name) => Ok(name),
        None => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.code()).collect()
    }

    fn password_codes(
        new: &str,
        current: Option<&str>,
        confirmation: Option<&str>,
    ) -> Vec<&'static str> {
        match check_password(new, current, confirmation) {
            Ok(()) => Vec::new(),
            Err(errors) => codes(&errors),
        }
    }

    // --- passwords -------------------------------------------------------------------------

    #[test]
    fn a_password_with_a_lower_case_letter_and_a_digit_is_accepted() {
        // Arrange
        let new = "abc123";

        // Act
        let result = check_password(new, Some("old-pass1"), Some("abc123"));

        // Assert
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn a_password_of_five_characters_is_too_short_and_says_the_rule() {
        let result = check_password("abc12", None, None);

        let errors = result.unwrap_err();
        assert_eq!(codes(&errors), ["too_short"]);
        assert_eq!(errors[0].field, "new_password");
        assert_eq!(
            errors[0].problem,
            Problem::PasswordTooShort { min: 6, max: 512 }
        );
    }

    #[test]
    fn a_password_of_512_characters_is_accepted_and_one_of_513_is_not() {
        let longest = format!("a1{}", "x".repeat(510));
        let too_long = format!("{longest}y");

        let ok = check_password(&longest, None, None);
        let refused = password_codes(&too_long, None, None);

        assert_eq!(ok, Ok(()));
        assert_eq!(refused, ["too_long"]);
    }

    #[test]
    fn an_empty_password_is_only_reported_as_required() {
        let result = password_codes("", None, None);

        assert_eq!(result, ["required"]);
    }

    #[test]
    fn a_password_without_a_digit_or_a_lower_case_letter_gets_one_error_per_rule() {
        let no_digit = password_codes("abcdefgh", None, None);
        let no_lower = password_codes("ABCDEF12", None, None);
        let neither = password_codes("ABCDEFGH", None, None);

        assert_eq!(no_digit, ["missing_digit"]);
        assert_eq!(no_lower, ["missing_lowercase"]);
        assert_eq!(neither, ["missing_lowercase", "missing_digit"]);
    }

    #[test]
    fn a_full_width_character_in_a_password_is_refused_without_echoing_it() {
        let errors = check_password("abc123ｐ", None, None).unwrap_err();

        assert_eq!(errors[0].problem, Problem::PasswordNotHalfWidth);
    }

    #[test]
    fn spaces_and_symbols_are_allowed_in_a_password() {
        let result = check_password("pass word 1 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", None, None);

        assert_eq!(result, Ok(()));
    }

    #[test]
    fn a_control_character_in_a_password_is_not_half_width() {
        let result = password_codes("abc\t123", None, None);

        assert_eq!(result, ["not_half_width"]);
    }

    #[test]
    fn a_password_is_not_trimmed() {
        // A leading space is part of the password, so it differs from the current one.
        let result = check_password(" abc123", Some("abc123"), None);

        assert_eq!(result, Ok(()));
    }

    #[test]
    fn the_new_password_must_differ_from_the_current_one() {
        let result = password_codes("abc123", Some("abc123"), Some("abc123"));

        assert_eq!(result, ["same_as_current"]);
    }

    #[test]
    fn a_confirmation_that_differs_is_reported_on_the_confirmation_field() {
        let errors = check_password("abc123", None, Some("abc124")).unwrap_err();

        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "confirmation");
        assert_eq!(errors[0].code(), "mismatch");
    }

    #[test]
    fn every_broken_password_rule_is_reported_at_once() {
        let result = password_codes("ＡＢ", Some("ＡＢ"), Some("x"));

        assert_eq!(
            result,
            [
                "too_short",
                "not_half_width",
                "missing_lowercase",
                "missing_digit",
                "same_as_current",
                "mismatch"
            ]
        );
    }

    // --- group names -----------------------------------------------------------------------

    #[test]
    fn a_full_width_character_counts_as_two() {
        let width = group_name_width("営業部A");

        assert_eq!(width, 7);
    }

    #[test]
    fn half_width_katakana_counts_as_one() {
        let width = group_name_width("ｱｲｳ");

        assert_eq!(width, 3);
    }

    #[test]
    fn a_group_name_is_trimmed_of_half_and_full_width_spaces() {
        let result = check_group_name("\u{3000} 3F 営業部 \u{3000}");

        assert_eq!(result, Ok("3F 営業部".to_string()));
    }

    #[test]
    fn a_blank_group_name_is_required() {
        let errors = check_group_name(" \u{3000} ").unwrap_err();

        assert_eq!(codes(&errors), ["required"]);
        assert_eq!(errors[0].field, "name");
    }

    #[test]
    fn twenty_five_full_width_characters_fit_and_twenty_six_do_not() {
        let fits = "あ".repeat(25);
        let too_wide = "あ".repeat(26);

        let ok = check_group_name(&fits);
        let errors = check_group_name(&too_wide).unwrap_err();

        assert_eq!(ok, Ok(fits));
        assert_eq!(codes(&errors), ["too_wide"]);
        assert_eq!(
            errors[0].problem,
            Problem::GroupNameTooWide { max: 50, width: 52 }
        );
    }

    #[test]
    fn fifty_half_width_characters_fit_and_fifty_one_do_not() {
        let ok = check_group_name(&"a".repeat(50));
        let errors = check_group_name(&"a".repeat(51)).unwrap_err();

        assert!(ok.is_ok());
        assert_eq!(codes(&errors), ["too_wide"]);
    }

    #[test]
    fn each_forbidden_group_name_character_is_refused() {
        for c in ['"', '%', '&', '\'', '/', ';', '<', '>', '\\', '¥'] {
            let name = format!("a{c}b");

            let errors = check_group_name(&name).unwrap_err();

            assert_eq!(codes(&errors), ["forbidden_character"], "for {c:?}");
        }
    }

    #[test]
    fn the_forbidden_character_message_names_the_characters_found_once_each() {
        let errors = check_group_name("a/b<c/d").unwrap_err();

        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].problem,
            Problem::GroupNameForbiddenCharacter {
                forbidden: "\" % & ' / ; < > \\ ¥".into(),
                found: "/ <".into()
            }
        );
    }

    #[test]
    fn a_full_width_slash_and_yen_sign_are_allowed_in_a_group_name() {
        let result = check_group_name("本社／経理￥");

        assert_eq!(result, Ok("本社／経理￥".to_string()));
    }

    #[test]
    fn half_width_katakana_is_refused_in_a_group_name_and_named() {
        let errors = check_group_name("ｴｲｷﾞｮｳ").unwrap_err();

        assert_eq!(codes(&errors), ["half_width_katakana"]);
        assert_eq!(
            errors[0].problem,
            Problem::GroupNameHalfWidthKatakana {
                found: "ｴ ｲ ｷ ﾞ ｮ ｳ".into()
            }
        );
    }

    #[test]
    fn a_control_character_in_a_group_name_is_refused_and_shown_as_a_code_point() {
        let errors = check_group_name("a\tb").unwrap_err();

        assert_eq!(codes(&errors), ["control_character"]);
        assert_eq!(
            errors[0].problem,
            Problem::ControlCharacter {
                found: "U+0009".into()
            }
        );
    }

    #[test]
    fn every_broken_group_name_rule_gets_its_own_error() {
        let name = format!("{}ｱ/\u{7}", "あ".repeat(25));

        let errors = check_group_name(&name).unwrap_err();

        assert_eq!(
            codes(&errors),
            [
                "too_wide",
                "forbidden_character",
                "half_width_katakana",
                "control_character"
            ]
        );
        assert!(errors.iter().all(|e| e.field == "name"));
    }

    // --- user names ------------------------------------------------------------------------

    #[test]
    fn a_user_name_is_trimmed_and_lower_cased() {
        let result = normalize_username("  Taro.Sato@Example-1_x ");

        assert_eq!(result, Ok("taro.sato@example-1_x".to_string()));
    }

    #[test]
    fn a_user_name_of_two_or_sixty_five_characters_is_refused() {
        let short = normalize_username("ab").unwrap_err();
        let long = normalize_username(&"a".repeat(65)).unwrap_err();
        let longest = normalize_username(&"a".repeat(64));

        assert_eq!(codes(&short), ["too_short"]);
        assert_eq!(codes(&long), ["too_long"]);
        assert!(longest.is_ok());
    }

    #[test]
    fn a_user_name_with_a_space_or_non_ascii_letter_is_refused_naming_them() {
        let errors = normalize_username("taro sató").unwrap_err();

        assert_eq!(codes(&errors), ["invalid_character"]);
        assert_eq!(errors[0].field, "username");
        assert_eq!(
            errors[0].problem,
            Problem::InvalidCharacter {
                rule: CharRule::Username,
                found: "U+0020 ó".into()
            }
        );
    }

    #[test]
    fn a_blank_user_name_is_required() {
        let errors = normalize_username("   ").unwrap_err();

        assert_eq!(codes(&errors), ["required"]);
    }

    // --- e-mail addresses ------------------------------------------------------------------

    #[test]
    fn a_plain_address_is_trimmed_and_kept_as_given() {
        let result = check_email("  Taro.Sato+printers@Example.co.jp ");

        assert_eq!(result, Ok("Taro.Sato+printers@Example.co.jp".to_string()));
    }

    #[test]
    fn an_address_at_localhost_is_accepted() {
        let result = check_email("admin@localhost");

        assert!(result.is_ok());
    }

    #[test]
    fn addresses_without_exactly_one_at_sign_or_a_proper_domain_are_invalid() {
        for bad in [
            "taro",
            "@example.com",
            "taro@",
            "taro@@example.com",
            "a@b@example.com",
            "taro@example",
            "taro@example..com",
            "taro@-example.com",
            ".taro@example.com",
            "Taro <taro@example.com>",
        ] {
            let errors = check_email(bad).unwrap_err();

            assert!(codes(&errors).contains(&"invalid"), "{bad}");
        }
    }

    #[test]
    fn an_address_with_a_space_or_a_line_break_is_refused() {
        let space = check_email("taro sato@example.com").unwrap_err();
        let newline = check_email("taro@example.com\r\nBcc: x@evil.com").unwrap_err();

        assert_eq!(codes(&space), ["invalid_character"]);
        assert!(codes(&newline).contains(&"invalid_character"));
    }

    #[test]
    fn an_address_longer_than_254_characters_is_too_long() {
        let address = format!("a@{}.com", "b".repeat(250));

        let errors = check_email(&address).unwrap_err();

        assert_eq!(address.len(), 256);
        assert_eq!(codes(&errors), ["too_long"]);
        assert_eq!(errors[0].field, "email");
    }

    #[test]
    fn an_address_typed_in_full_width_says_so() {
        for typed in [
            "ｔａｒｏ@example.com",
            "taro＠example.com",
            "taro@ｅｘａｍｐｌｅ.com",
        ] {
            let errors = check_email(typed).unwrap_err();

            assert_eq!(codes(&errors), ["full_width"], "{typed}");
        }
        assert!(
            check_email("太郎@例え.jp").is_ok(),
            "other scripts stay allowed"
        );
    }

    #[test]
    fn a_blank_address_is_required() {
        let errors = check_email(" ").unwrap_err();

        assert_eq!(codes(&errors), ["required"]);
    }

    // --- tenant names ----------------------------------------------------------------------

    #[test]
    fn a_tenant_name_is_trimmed() {
        let result = check_tenant_name("  株式会社サンプル  ");

        assert_eq!(result, Ok("株式会社サンプル".to_string()));
    }

    #[test]
    fn a_tenant_name_is_required_at_most_100_characters_and_free_of_controls() {
        let blank = check_tenant_name("").unwrap_err();
        let long = check_tenant_name(&"社".repeat(101)).unwrap_err();
        let longest = check_tenant_name(&"社".repeat(100));
        let control = check_tenant_name("Acme\u{0}Corp").unwrap_err();

        assert_eq!(codes(&blank), ["required"]);
        assert_eq!(codes(&long), ["too_long"]);
        assert!(longest.is_ok());
        assert_eq!(codes(&control), ["control_character"]);
    }

    #[test]
    fn a_bidirectional_override_counts_as_a_control_character() {
        let errors = check_tenant_name("Acme\u{202E}gnp.exe").unwrap_err();

        assert_eq!(codes(&errors), ["control_character"]);
        assert_eq!(
            errors[0].problem,
            Problem::ControlCharacter {
                found: "U+202E".into()
            }
        );
    }

    #[test]
    fn a_field_error_names_its_field_and_the_rule_s_code() {
        let error = too_long("name", 100);

        assert_eq!(error.field, "name");
        assert_eq!(error.code(), "too_long");
        assert_eq!(error.problem, Problem::TooLong { max: 100 });
    }
}
