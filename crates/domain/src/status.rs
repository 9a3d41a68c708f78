//! Device status (SPEC S9, I6): the severity of an active condition, the status a device
//! shows, and the validation of the conditions a status report carries.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::device::Protocol;
use crate::policy::{
    CharRule, FieldError, Problem, check_text, describe_chars, invalid_choice, non_blank, required,
    too_long,
};

/// How serious an active condition is. Declared from least to most severe, so that the
/// derived order is the severity order: `Warning < Error < ServiceCall`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// E.g. toner low. Low severity.
    Warning,
    /// E.g. a paper jam. Medium severity.
    Error,
    /// The device needs maintenance by a technician. High severity.
    ServiceCall,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Warning, Severity::Error, Severity::ServiceCall];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::ServiceCall => "service_call",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status a device shows in the list and on its screen (S9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Never sent a status report nor a reading; shown faded.
    Unknown,
    Normal,
    Warning,
    Error,
    ServiceCall,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Unknown,
        Status::Normal,
        Status::Warning,
        Status::Error,
        Status::ServiceCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Normal => "normal",
            Status::Warning => "warning",
            Status::Error => "error",
            Status::ServiceCall => "service_call",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The status a device shows, from the status its row keeps (derived from its conditions
    /// by [`Status::derive`] when a report arrives) and its protocol: a device whose protocol
    /// is SMTP is always normal (S9), also before its first mail. The store's `STATUS_SQL`
    /// is this rule in SQL, for sorting and filtering the device list.
    pub fn shown(protocol: Protocol, stored: Status) -> Status {
        if protocol == Protocol::Smtp {
            Status::Normal
        } else {
            stored
        }
    }

    /// The status a device shows (S9):
    /// - a device whose protocol is SMTP is always normal, since it cannot send status;
    /// - a device that has never sent a status report nor a reading is unknown;
    /// - otherwise the most severe of its active conditions, or normal when there is none.
    pub fn derive(
        protocol: Protocol,
        has_ever_reported: bool,
        active: impl IntoIterator<Item = Severity>,
    ) -> Status {
        if protocol == Protocol::Smtp {
            return Status::Normal;
        }
        if !has_ever_reported {
            return Status::Unknown;
        }
        active
            .into_iter()
            .max()
            .map_or(Status::Normal, Status::from)
    }

    /// A sort key, higher for statuses that need attention sooner: normal 0, unknown 1,
    /// warning 2, error 3, service call 4. An unknown device ranks above a normal one (it may
    /// be switched off or unreachable, which someone may want to look at) but below any
    /// problem a device actually reports.
    pub fn rank(self) -> u8 {
        match self {
            Status::Normal => 0,
            Status::Unknown => 1,
            Status::Warning => 2,
            Status::Error => 3,
            Status::ServiceCall => 4,
        }
    }
}

impl From<Severity> for Status {
    fn from(severity: Severity) -> Status {
        match severity {
            Severity::Warning => Status::Warning,
            Severity::Error => Status::Error,
            Severity::ServiceCall => Status::ServiceCall,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One active condition as a status report carries it (SPEC §7 ingest), before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    pub code: String,
    pub severity: String,
    pub message: Option<String>,
}

/// One active condition of a device, validated. A condition is identified by its `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub code: String,
    pub severity: Severity,
    /// Empty when the device sent none.
    pub message: String,
}

pub const CONDITION_CODE_MAX_CHARS: usize = 64;
pub const CONDITION_MESSAGE_MAX_CHARS: usize = 500;

impl ConditionInput {
    /// Validates a condition, reporting every broken rule: `code` is required, 1 to 64
    /// printable ASCII characters without spaces; `severity` is one of `warning`, `error`,
    /// `service_call`; `message` is optional (empty when absent), at most 500 characters,
    /// without control characters. Values are trimmed.
    ///
    /// Codes: `required`, `too_long`, `invalid_character`, `invalid_choice`,
    /// `control_character`.
    pub fn parse(self) -> Result<Condition, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = check_code(&self.code, &mut errors);
        let severity = match non_blank(Some(self.severity.as_str())) {
            None => {
                errors.push(required("severity"));
                None
            }
            Some(value) => {
                let severity = Severity::parse(value);
                if severity.is_none() {
                    errors.push(invalid_choice(
                        "severity",
                        &Severity::ALL.map(Severity::as_str),
                    ));
                }
                severity
            }
        };
        let message = check_text(
            "message",
            self.message.as_deref(),
            CONDITION_MESSAGE_MAX_CHARS,
            false,
            &mut errors,
        );
        match (code, severity) {
            (Some(code), Some(severity)) if errors.is_empty() => Ok(Condition {
                code,
                severity,
                message: message.unwrap_or_default(),
            }),
            _ => Err(errors),
        }
    }
}

fn check_code(raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    const FIELD: &str = "code";
    let Some(code) = non_blank(Some(raw)) else {
        errors.push(required(FIELD));
        return None;
    };
    let before = errors.len();
    if code.chars().count() > CONDITION_CODE_MAX_CHARS {
        errors.push(too_long(FIELD, CONDITION_CODE_MAX_CHARS));
    }
    // Not `policy::invalid_chars`: its messages speak of letters and digits, a code is wider.
    let bad: Vec<char> = code.chars().filter(|c| !c.is_ascii_graphic()).collect();
    if !bad.is_empty() {
        errors.push(FieldError::new(
            FIELD,
            Problem::InvalidCharacter {
                rule: CharRule::ConditionCode,
                found: describe_chars(bad),
            },
        ));
    }
    (errors.len() == before).then(|| code.to_string())
}

/// What a condition is about, where its code says so in a way known to the portal: the
/// codes the SNMP collector sends (the Host-Resources-MIB error-state bits, and the
/// Printer-MIB alerts as `alert.<name>`), and the dotted codes of collectors and devices
/// that report over HTTP (`jam.tray1`, `cover.open`, `toner.low.cyan`). The screens name a
/// known condition in the user's language and keep the device's own text as a detail; an
/// unknown code (a vendor's `E000007-0001`) shows the device's text alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionTopic {
    PaperLow,
    PaperOut,
    TonerLow,
    TonerEmpty,
    InkLow,
    InkEmpty,
    DoorOpen,
    Jam,
    Offline,
    ServiceRequested,
    InputTrayMissing,
    OutputTrayMissing,
    SupplyMissing,
    OutputNearFull,
    OutputFull,
    MaintenanceOverdue,
    WasteTonerNearFull,
    WasteTonerFull,
    DrumNearEnd,
    DrumEnd,
}

impl ConditionTopic {
    pub const ALL: [ConditionTopic; 20] = [
        ConditionTopic::PaperLow,
        ConditionTopic::PaperOut,
        ConditionTopic::TonerLow,
        ConditionTopic::TonerEmpty,
        ConditionTopic::InkLow,
        ConditionTopic::InkEmpty,
        ConditionTopic::DoorOpen,
        ConditionTopic::Jam,
        ConditionTopic::Offline,
        ConditionTopic::ServiceRequested,
        ConditionTopic::InputTrayMissing,
        ConditionTopic::OutputTrayMissing,
        ConditionTopic::SupplyMissing,
        ConditionTopic::OutputNearFull,
        ConditionTopic::OutputFull,
        ConditionTopic::MaintenanceOverdue,
        ConditionTopic::WasteTonerNearFull,
        ConditionTopic::WasteTonerFull,
        ConditionTopic::DrumNearEnd,
        ConditionTopic::DrumEnd,
    ];

    /// Its name in message keys (`condition-<name>`).
    pub fn as_str(self) -> &'static str {
        use ConditionTopic::*;
        match self {
            PaperLow => "paper-low",
            PaperOut => "paper-out",
            TonerLow => "toner-low",
            TonerEmpty => "toner-empty",
            InkLow => "ink-low",
            InkEmpty => "ink-empty",
            DoorOpen => "door-open",
            Jam => "jam",
            Offline => "offline",
            ServiceRequested => "service-requested",
            InputTrayMissing => "input-tray-missing",
            OutputTrayMissing => "output-tray-missing",
            SupplyMissing => "supply-missing",
            OutputNearFull => "output-near-full",
            OutputFull => "output-full",
            MaintenanceOverdue => "maintenance-overdue",
            WasteTonerNearFull => "waste-toner-near-full",
            WasteTonerFull => "waste-toner-full",
            DrumNearEnd => "drum-near-end",
            DrumEnd => "drum-end",
        }
    }
}

/// A known condition: its topic, and the supply colour its code names (`toner.low.cyan`),
/// one of [`crate::device::SUPPLY_COLORS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownCondition {
    pub topic: ConditionTopic,
    pub color: Option<&'static str>,
}

/// What a condition's code says it is about, if the portal knows the code (see
/// [`ConditionTopic`]). Codes are compared without regard to case, with `.` and `-` read
/// as `_`; a colour is taken from the code's last part when it is one of the supply
/// colours.
pub fn known_condition(code: &str) -> Option<KnownCondition> {
    use ConditionTopic::*;
    let code = code.trim().to_ascii_lowercase().replace(['.', '-'], "_");
    let code = code.strip_prefix("alert_").unwrap_or(&code);
    let (topic, color) = TOPIC_CODES.iter().find_map(|(prefix, topic)| {
        let rest = code.strip_prefix(prefix)?;
        if rest.is_empty() {
            return Some((*topic, None));
        }
        let rest = rest.strip_prefix('_')?;
        let colored = matches!(topic, TonerLow | TonerEmpty | InkLow | InkEmpty);
        let color = crate::device::SUPPLY_COLORS
            .iter()
            .find(|c| **c == rest)
            .copied();
        // `jam_tray1`: the place of a jam is a detail of the device's text; a colour
        // only where a supply is meant; anything else after a known prefix is unknown.
        match (*topic, color) {
            (Jam, _) => Some((*topic, None)),
            (_, Some(c)) if colored => Some((*topic, Some(c))),
            (_, None) if colored => Some((*topic, None)),
            _ => None,
        }
    })?;
    Some(KnownCondition { topic, color })
}

/// Codes (after [`known_condition`]'s normalisation) and their topic; a code may go on
/// with `_<detail>`. Longer codes before the codes they begin with.
const TOPIC_CODES: [(&str, ConditionTopic); 42] = {
    use ConditionTopic::*;
    [
        // hrPrinterDetectedErrorState bits (RFC 2790), as the collector names them.
        ("low_paper", PaperLow),
        ("no_paper", PaperOut),
        ("low_toner", TonerLow),
        ("no_toner", TonerEmpty),
        ("door_open", DoorOpen),
        ("jammed", Jam),
        ("offline", Offline),
        ("service_requested", ServiceRequested),
        ("input_tray_missing", InputTrayMissing),
        ("output_tray_missing", OutputTrayMissing),
        ("marker_supply_missing", SupplyMissing),
        ("output_near_full", OutputNearFull),
        ("output_full", OutputFull),
        ("input_tray_empty", PaperOut),
        ("overdue_prevent_maint", MaintenanceOverdue),
        // prtAlertCode names (RFC 3805) after `alert.`, as the collector names them.
        ("cover_open", DoorOpen),
        ("interlock_open", DoorOpen),
        ("jam", Jam),
        ("input_media_supply_low", PaperLow),
        ("input_media_supply_empty", PaperOut),
        ("output_tray_almost_full", OutputNearFull),
        ("output_tray_full", OutputFull),
        ("toner_almost_empty", TonerLow),
        ("toner_empty", TonerEmpty),
        ("ink_almost_empty", InkLow),
        ("ink_empty", InkEmpty),
        ("waste_toner_almost_full", WasteTonerNearFull),
        ("waste_toner_full", WasteTonerFull),
        ("opc_life_almost_over", DrumNearEnd),
        ("opc_life_over", DrumEnd),
        ("toner_cartridge_missing", SupplyMissing),
        // Dotted codes of HTTP collectors: `toner.low.cyan`, `waste.toner.near_full`.
        ("toner_low", TonerLow),
        ("toner_out", TonerEmpty),
        ("ink_low", InkLow),
        ("ink_out", InkEmpty),
        ("paper_low", PaperLow),
        ("paper_out", PaperOut),
        ("waste_toner_near_full", WasteTonerNearFull),
        ("cover_opened", DoorOpen),
        ("door_opened", DoorOpen),
        ("paper_jam", Jam),
        ("service_call", ServiceRequested),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(code: &str, severity: &str, message: Option<&str>) -> ConditionInput {
        ConditionInput {
            code: code.into(),
            severity: severity.into(),
            message: message.map(Into::into),
        }
    }

    fn error_codes(input: ConditionInput) -> Vec<(&'static str, &'static str)> {
        match input.parse() {
            Ok(c) => panic!("expected errors, got {c:?}"),
            Err(errors) => errors.iter().map(|e| (e.field, e.code())).collect(),
        }
    }

    // --- severity and status ---------------------------------------------------------------

    #[test]
    fn a_service_call_is_more_severe_than_an_error_which_is_more_severe_than_a_warning() {
        let mut severities = vec![Severity::ServiceCall, Severity::Warning, Severity::Error];

        severities.sort();

        assert_eq!(
            severities,
            [Severity::Warning, Severity::Error, Severity::ServiceCall]
        );
    }

    #[test]
    fn severities_and_statuses_parse_back_from_their_names() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Severity::parse("critical"), None);
        assert_eq!(Status::parse("Normal"), None);
    }

    #[test]
    fn severities_and_statuses_serialize_as_their_api_names() {
        let json = serde_json::to_string(&(Severity::ServiceCall, Status::Unknown));

        assert_eq!(json.unwrap(), r#"["service_call","unknown"]"#);
    }

    #[test]
    fn the_most_severe_active_condition_is_shown() {
        let active = [Severity::Warning, Severity::ServiceCall, Severity::Error];

        let status = Status::derive(Protocol::Snmp, true, active);

        assert_eq!(status, Status::ServiceCall);
    }

    #[test]
    fn a_device_that_reported_without_active_conditions_is_normal() {
        let status = Status::derive(Protocol::Http, true, []);

        assert_eq!(status, Status::Normal);
    }

    #[test]
    fn a_device_that_never_reported_is_unknown() {
        let status = Status::derive(Protocol::Snmp, false, []);

        assert_eq!(status, Status::Unknown);
    }

    #[test]
    fn an_smtp_device_is_always_normal() {
        let never_reported = Status::derive(Protocol::Smtp, false, []);
        let with_conditions = Status::derive(Protocol::Smtp, true, [Severity::ServiceCall]);

        assert_eq!(never_reported, Status::Normal);
        assert_eq!(with_conditions, Status::Normal);
    }

    #[test]
    fn sorting_by_rank_puts_service_calls_first_and_normal_devices_last() {
        let mut statuses = Status::ALL.to_vec();

        statuses.sort_by_key(|s| std::cmp::Reverse(s.rank()));

        assert_eq!(
            statuses,
            [
                Status::ServiceCall,
                Status::Error,
                Status::Warning,
                Status::Unknown,
                Status::Normal
            ]
        );
    }

    // --- conditions ------------------------------------------------------------------------

    #[test]
    fn a_condition_without_a_message_gets_an_empty_one() {
        let input = condition("E000-0001", "error", None);

        let parsed = input.parse();

        assert_eq!(
            parsed,
            Ok(Condition {
                code: "E000-0001".into(),
                severity: Severity::Error,
                message: String::new(),
            })
        );
    }

    #[test]
    fn a_condition_is_trimmed() {
        let input = condition(" jam.tray2 ", " warning ", Some("  トレイ2で紙詰まり "));

        let parsed = input.parse().unwrap();

        assert_eq!(parsed.code, "jam.tray2");
        assert_eq!(parsed.severity, Severity::Warning);
        assert_eq!(parsed.message, "トレイ2で紙詰まり");
    }

    #[test]
    fn an_empty_condition_reports_code_and_severity_as_required() {
        let input = condition("", "  ", Some(""));

        let errors = error_codes(input);

        assert_eq!(errors, [("code", "required"), ("severity", "required")]);
    }

    #[test]
    fn a_code_with_a_space_or_a_non_ascii_character_is_refused_naming_them() {
        let input = condition("paper jam/紙", "error", None);

        let errors = input.parse().unwrap_err();

        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field, errors[0].code()),
            ("code", "invalid_character")
        );
        assert_eq!(
            errors[0].problem,
            Problem::InvalidCharacter {
                rule: CharRule::ConditionCode,
                found: "U+0020 紙".into()
            }
        );
    }

    #[test]
    fn a_code_of_64_characters_is_accepted_and_one_of_65_is_not() {
        let longest = condition(&"C".repeat(64), "warning", None);
        let too_long = condition(&"C".repeat(65), "warning", None);

        let ok = longest.parse();
        let errors = error_codes(too_long);

        assert!(ok.is_ok());
        assert_eq!(errors, [("code", "too_long")]);
    }

    #[test]
    fn an_unknown_severity_lists_the_valid_ones() {
        let input = condition("X1", "critical", None);

        let errors = input.parse().unwrap_err();

        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code(), "invalid_choice");
        assert_eq!(
            errors[0].problem,
            Problem::InvalidChoice {
                choices: "warning, error, service_call".into()
            }
        );
    }

    #[test]
    fn a_message_over_500_characters_or_with_a_control_character_is_refused() {
        let long = condition("X1", "error", Some(&"あ".repeat(501)));
        let longest = condition("X1", "error", Some(&"あ".repeat(500)));
        let control = condition("X1", "error", Some("line 1\nline 2"));

        let long_errors = error_codes(long);
        let ok = longest.parse();
        let control_errors = error_codes(control);

        assert_eq!(long_errors, [("message", "too_long")]);
        assert!(ok.is_ok());
        assert_eq!(control_errors, [("message", "control_character")]);
    }

    #[test]
    fn a_condition_deserializes_from_the_ingest_json_and_refuses_unknown_fields() {
        let json = r#"{"code": "S-100", "severity": "service_call", "message": null}"#;
        let unknown = r#"{"code": "S-100", "severity": "error", "since": "2024-01-01"}"#;

        let input: ConditionInput = serde_json::from_str(json).unwrap();
        let refused = serde_json::from_str::<ConditionInput>(unknown);

        assert_eq!(input.parse().unwrap().severity, Severity::ServiceCall);
        assert!(refused.is_err());
    }

    #[test]
    fn known_codes_name_their_topic_and_colour() {
        let known = |c: &str| known_condition(c).map(|k| (k.topic, k.color));
        assert_eq!(known("jam.tray1"), Some((ConditionTopic::Jam, None)));
        assert_eq!(known("jammed"), Some((ConditionTopic::Jam, None)));
        assert_eq!(known("alert.jam"), Some((ConditionTopic::Jam, None)));
        assert_eq!(known("cover.open"), Some((ConditionTopic::DoorOpen, None)));
        assert_eq!(
            known("toner.low.cyan"),
            Some((ConditionTopic::TonerLow, Some("cyan")))
        );
        assert_eq!(
            known("ink.low.MBK"),
            Some((ConditionTopic::InkLow, None)),
            "a colour the portal does not know is left to the device's text"
        );
        assert_eq!(known("ink.low"), Some((ConditionTopic::InkLow, None)));
        assert_eq!(
            known("waste.toner.near_full"),
            Some((ConditionTopic::WasteTonerNearFull, None))
        );
        assert_eq!(
            known("alert.toner_almost_empty"),
            Some((ConditionTopic::TonerLow, None))
        );
        assert_eq!(known("E000007-0001"), None);
        assert_eq!(known("E196-0000"), None);
        assert_eq!(
            known("low_paper_tray2"),
            None,
            "a known prefix alone is not enough"
        );
    }
}
