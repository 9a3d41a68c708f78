//! Device fields (SPEC S8, S11, §7 operator API): device types, protocols, LFP units, and the
//! validation of a new device's fields.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::counters::DeviceClass;
use crate::policy::{
    CharRule, FieldError, Problem, check_text, control_chars, invalid_chars, invalid_choice,
    non_blank, required, too_long,
};

/// The five kinds of device of S8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceType {
    MonoMfp,
    ColorMfp,
    MonoLbp,
    ColorLbp,
    Lfp,
}

impl DeviceType {
    pub const ALL: [DeviceType; 5] = [
        DeviceType::MonoMfp,
        DeviceType::ColorMfp,
        DeviceType::MonoLbp,
        DeviceType::ColorLbp,
        DeviceType::Lfp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceType::MonoMfp => "mono_mfp",
            DeviceType::ColorMfp => "color_mfp",
            DeviceType::MonoLbp => "mono_lbp",
            DeviceType::ColorLbp => "color_lbp",
            DeviceType::Lfp => "lfp",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceType> {
        DeviceType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Which counters the device has: large-format printers count in their own unit, every
    /// other type counts sheets.
    pub fn class(self) -> DeviceClass {
        match self {
            DeviceType::Lfp => DeviceClass::Lfp,
            _ => DeviceClass::Mfp,
        }
    }
}

impl fmt::Display for DeviceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a device sends its data (SPEC I1-I3). SMTP devices cannot send status (S9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Http,
    Smtp,
    Snmp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Http, Protocol::Smtp, Protocol::Snmp];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Smtp => "smtp",
            Protocol::Snmp => "snmp",
        }
    }

    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit of an LFP's counters (S16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LfpUnit {
    A4,
    Letter,
    M2,
    Sqft,
}

impl LfpUnit {
    pub const ALL: [LfpUnit; 4] = [LfpUnit::A4, LfpUnit::Letter, LfpUnit::M2, LfpUnit::Sqft];

    pub fn as_str(self) -> &'static str {
        match self {
            LfpUnit::A4 => "a4",
            LfpUnit::Letter => "letter",
            LfpUnit::M2 => "m2",
            LfpUnit::Sqft => "sqft",
        }
    }

    pub fn parse(s: &str) -> Option<LfpUnit> {
        LfpUnit::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

impl fmt::Display for LfpUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A device's fields, validated: what the store registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDevice {
    pub serial: String,
    pub name: String,
    pub product: String,
    pub device_type: DeviceType,
    pub protocol: Protocol,
    /// Upper case, colon-separated: `00:1A:2B:3C:4D:5E`.
    pub mac: Option<String>,
    pub host: Option<String>,
    pub building: Option<String>,
    pub location: Option<String>,
    pub remote_ui_url: Option<String>,
    /// Present exactly when `device_type` is [`DeviceType::Lfp`].
    pub lfp_unit: Option<LfpUnit>,
}

/// A device's fields as they arrive, e.g. the operator API's JSON body (SPEC §7): every
/// field optional and a string, so that [`DeviceInput::parse`] can report every problem at
/// once instead of the first one serde meets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInput {
    pub serial: Option<String>,
    pub name: Option<String>,
    pub product: Option<String>,
    pub device_type: Option<String>,
    pub protocol: Option<String>,
    pub mac: Option<String>,
    pub host: Option<String>,
    pub building: Option<String>,
    pub location: Option<String>,
    pub remote_ui_url: Option<String>,
    pub lfp_unit: Option<String>,
}

/// The colours a supply may name: the four process colours and the inks of photo and
/// large-format printers. A closed list, so that the screens can draw each one.
pub const SUPPLY_COLORS: [&str; 20] = [
    "black",
    "cyan",
    "magenta",
    "yellow",
    "matte_black",
    "photo_black",
    "photo_cyan",
    "photo_magenta",
    "light_cyan",
    "light_magenta",
    "gray",
    "photo_gray",
    "light_gray",
    "red",
    "green",
    "blue",
    "orange",
    "violet",
    "white",
    "clear",
];

pub const SERIAL_MAX_CHARS: usize = 64;
pub const DEVICE_TEXT_MAX_CHARS: usize = 100;
pub const HOST_MAX_CHARS: usize = 253;
pub const URL_MAX_CHARS: usize = 2000;

impl DeviceInput {
    /// Validates every field and reports every broken rule. Values are trimmed; a blank
    /// optional field counts as absent.
    ///
    /// Codes: `required`, `too_long`, `invalid_character` (serial), `control_character`,
    /// `invalid_choice` (device_type, protocol, lfp_unit), `invalid_mac`, `invalid_host`,
    /// `invalid_url`, `lfp_unit_not_allowed`.
    pub fn parse(self) -> Result<NewDevice, Vec<FieldError>> {
        let mut errors = Vec::new();

        let serial = check_serial(self.serial.as_deref(), &mut errors);
        let name = check_text(
            "name",
            self.name.as_deref(),
            DEVICE_TEXT_MAX_CHARS,
            true,
            &mut errors,
        );
        let product = check_text(
            "product",
            self.product.as_deref(),
            DEVICE_TEXT_MAX_CHARS,
            true,
            &mut errors,
        );
        let device_type = check_choice(
            "device_type",
            self.device_type.as_deref(),
            DeviceType::parse,
            &DeviceType::ALL.map(DeviceType::as_str),
            &mut errors,
        );
        let protocol = check_choice(
            "protocol",
            self.protocol.as_deref(),
            Protocol::parse,
            &Protocol::ALL.map(Protocol::as_str),
            &mut errors,
        );
        let mac = check_mac(self.mac.as_deref(), &mut errors);
        let host = check_host(self.host.as_deref(), &mut errors);
        let building = check_text(
            "building",
            self.building.as_deref(),
            DEVICE_TEXT_MAX_CHARS,
            false,
            &mut errors,
        );
        let location = check_text(
            "location",
            self.location.as_deref(),
            DEVICE_TEXT_MAX_CHARS,
            false,
            &mut errors,
        );
        let remote_ui_url = check_remote_ui_url(self.remote_ui_url.as_deref(), &mut errors);
        let lfp_unit = check_lfp_unit(device_type, self.lfp_unit.as_deref(), &mut errors);

        match (serial, name, product, device_type, protocol) {
            (Some(serial), Some(name), Some(product), Some(device_type), Some(protocol))
                if errors.is_empty() =>
            {
                Ok(NewDevice {
                    serial,
                    name,
                    product,
                    device_type,
                    protocol,
                    mac,
                    host,
                    building,
                    location,
                    remote_ui_url,
                    lfp_unit,
                })
            }
            _ => Err(errors),
        }
    }
}

fn is_serial_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Whether `serial` (already trimmed) could be a registered device's serial number: what a
/// device reports is checked against the same rule before anything about it is stored.
pub fn is_valid_serial(serial: &str) -> bool {
    !serial.is_empty() && serial.len() <= SERIAL_MAX_CHARS && serial.chars().all(is_serial_char)
}

/// The serial number is the device's identity (T2): 1 to 64 characters of `A-Z a-z 0-9 . _ -`,
/// kept as given apart from trimming.
fn check_serial(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    const FIELD: &str = "serial";
    let Some(serial) = non_blank(raw) else {
        errors.push(required(FIELD));
        return None;
    };
    let before = errors.len();
    if serial.chars().count() > SERIAL_MAX_CHARS {
        errors.push(too_long(FIELD, SERIAL_MAX_CHARS));
    }
    errors.extend(invalid_chars(
        FIELD,
        serial,
        is_serial_char,
        CharRule::Serial,
    ));
    (errors.len() == before).then(|| serial.to_string())
}

/// A required choice among the values `parse` knows.
fn check_choice<T>(
    field: &'static str,
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    choices: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let Some(value) = non_blank(raw) else {
        errors.push(required(field));
        return None;
    };
    let parsed = parse(value);
    if parsed.is_none() {
        errors.push(invalid_choice(field, choices));
    }
    parsed
}

/// An LFP needs its unit, and no other device has one: a unit on an MFP would mean nothing
/// and hide a mistake in the device type.
fn check_lfp_unit(
    device_type: Option<DeviceType>,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<LfpUnit> {
    const FIELD: &str = "lfp_unit";
    let value = non_blank(raw);
    match (device_type, value) {
        (Some(DeviceType::Lfp), None) => {
            errors.push(FieldError::new(FIELD, Problem::LfpUnitRequired));
            None
        }
        (Some(t), Some(_)) if t != DeviceType::Lfp => {
            errors.push(FieldError::new(FIELD, Problem::LfpUnitNotAllowed));
            None
        }
        (_, Some(value)) => {
            let unit = LfpUnit::parse(value);
            if unit.is_none() {
                errors.push(invalid_choice(FIELD, &LfpUnit::ALL.map(LfpUnit::as_str)));
            }
            unit
        }
        (_, None) => None,
    }
}

/// Normalises a MAC address written as six hex pairs separated by `:` or `-` (the same
/// separator throughout), or as 12 hex digits, to upper case with colons:
/// `00:1A:2B:3C:4D:5E`. `None` when it is not one.
pub fn normalize_mac(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let digits: Vec<u8> = match bytes.len() {
        12 => bytes.to_vec(),
        17 => {
            let sep = bytes[2];
            if sep != b':' && sep != b'-' {
                return None;
            }
            let mut digits = Vec::with_capacity(12);
            for (i, &b) in bytes.iter().enumerate() {
                if i % 3 == 2 {
                    if b != sep {
                        return None;
                    }
                } else {
                    digits.push(b);
                }
            }
            digits
        }
        _ => return None,
    };
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let pairs: Vec<String> = digits
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_ascii_uppercase())
        .collect();
    Some(pairs.join(":"))
}

fn check_mac(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let value = non_blank(raw)?;
    let mac = normalize_mac(value);
    if mac.is_none() {
        errors.push(FieldError::new("mac", Problem::InvalidMac));
    }
    mac
}

/// Whether `s` is an IPv4 address, an IPv6 address (without brackets) or a host name: dot-
/// separated labels of 1 to 63 letters, digits and hyphens, not beginning or ending with a
/// hyphen, at most 253 characters in all.
pub fn is_valid_host(s: &str) -> bool {
    s.parse::<Ipv4Addr>().is_ok() || s.parse::<Ipv6Addr>().is_ok() || is_host_name(s)
}

fn is_host_name(s: &str) -> bool {
    if s.is_empty() || s.len() > HOST_MAX_CHARS {
        return false;
    }
    let labels_ok = s.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    // No top-level domain is numeric: "192.168.1.300" is a mistyped address, not a name.
    let last_is_numeric = s
        .rsplit('.')
        .next()
        .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()));
    labels_ok && !last_is_numeric
}

fn check_host(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    const FIELD: &str = "host";
    let value = non_blank(raw)?;
    if value.chars().count() > HOST_MAX_CHARS {
        errors.push(too_long(FIELD, HOST_MAX_CHARS));
        return None;
    }
    if !is_valid_host(value) {
        errors.push(FieldError::new(FIELD, Problem::InvalidHost));
        return None;
    }
    Some(value.to_string())
}

/// Whether `s` is an absolute `http://` or `https://` URL with a host (a host name, an IPv4
/// address or a bracketed IPv6 address) and an optional port. Other schemes are refused, so
/// that the Remote UI link (S10) can never run script (`javascript:`) or open anything but a
/// web page; so are user names in the authority (`http://trusted@evil.example/`), a known
/// trick to make a link look like another.
pub fn is_remote_ui_url(s: &str) -> bool {
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let (host_ok, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let Some((inside, after)) = bracketed.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        (inside.parse::<Ipv6Addr>().is_ok(), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        (host.parse::<Ipv4Addr>().is_ok() || is_host_name(host), port)
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && {
            let n: u32 = p.parse().unwrap_or(u32::MAX);
            (1..=65535).contains(&n)
        }
    });
    host_ok && port_ok
}

fn check_remote_ui_url(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    const FIELD: &str = "remote_ui_url";
    let value = non_blank(raw)?;
    let before = errors.len();
    if value.chars().count() > URL_MAX_CHARS {
        errors.push(too_long(FIELD, URL_MAX_CHARS));
    }
    errors.extend(control_chars(FIELD, value));
    if !is_remote_ui_url(value) {
        errors.push(FieldError::new(FIELD, Problem::InvalidUrl));
    }
    (errors.len() == before).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_input() -> DeviceInput {
        DeviceInput {
            serial: Some("XAB12345".into()),
            name: Some("3F 複合機".into()),
            product: Some("imageRUNNER ADVANCE C5560".into()),
            device_type: Some("color_mfp".into()),
            protocol: Some("snmp".into()),
            ..DeviceInput::default()
        }
    }

    fn error_codes(input: DeviceInput) -> Vec<(&'static str, &'static str)> {
        match input.parse() {
            Ok(device) => panic!("expected errors, got {device:?}"),
            Err(errors) => errors.iter().map(|e| (e.field, e.code())).collect(),
        }
    }

    // --- enums -----------------------------------------------------------------------------

    #[test]
    fn every_device_type_parses_back_from_its_name() {
        for t in DeviceType::ALL {
            let name = t.as_str();

            let parsed = DeviceType::parse(name);

            assert_eq!(parsed, Some(t));
        }
        assert_eq!(DeviceType::parse("Color_MFP"), None);
    }

    #[test]
    fn only_a_large_format_printer_is_of_the_lfp_class() {
        let classes: Vec<DeviceClass> = DeviceType::ALL.map(DeviceType::class).to_vec();

        assert_eq!(
            classes,
            [
                DeviceClass::Mfp,
                DeviceClass::Mfp,
                DeviceClass::Mfp,
                DeviceClass::Mfp,
                DeviceClass::Lfp
            ]
        );
    }

    #[test]
    fn enums_serialize_as_their_api_names() {
        let json = serde_json::to_string(&(DeviceType::ColorLbp, Protocol::Smtp, LfpUnit::Sqft));

        assert_eq!(json.unwrap(), r#"["color_lbp","smtp","sqft"]"#);
    }

    #[test]
    fn every_protocol_and_lfp_unit_parses_back_from_its_name() {
        for p in Protocol::ALL {
            assert_eq!(Protocol::parse(p.as_str()), Some(p));
        }
        for u in LfpUnit::ALL {
            assert_eq!(LfpUnit::parse(u.as_str()), Some(u));
        }
        assert_eq!(Protocol::parse("ftp"), None);
        assert_eq!(LfpUnit::parse("A4"), None);
    }

    // --- parsing a device ------------------------------------------------------------------

    #[test]
    fn a_device_with_only_the_required_fields_is_accepted() {
        let input = valid_input();

        let device = input.parse().unwrap();

        assert_eq!(device.serial, "XAB12345");
        assert_eq!(device.name, "3F 複合機");
        assert_eq!(device.device_type, DeviceType::ColorMfp);
        assert_eq!(device.protocol, Protocol::Snmp);
        assert_eq!(device.mac, None);
        assert_eq!(device.lfp_unit, None);
    }

    #[test]
    fn a_device_with_every_field_is_trimmed_and_normalised() {
        let input = DeviceInput {
            serial: Some("  LFP-001.a_b ".into()),
            device_type: Some(" lfp ".into()),
            protocol: Some("http".into()),
            mac: Some("00-1a-2b-3c-4d-5e".into()),
            host: Some(" printer-3f.example.co.jp ".into()),
            building: Some("本社ビル".into()),
            location: Some("3F 東".into()),
            remote_ui_url: Some("https://192.168.1.20:8443/rui/".into()),
            lfp_unit: Some("m2".into()),
            ..valid_input()
        };

        let device = input.parse().unwrap();

        assert_eq!(device.serial, "LFP-001.a_b");
        assert_eq!(device.device_type, DeviceType::Lfp);
        assert_eq!(device.mac.as_deref(), Some("00:1A:2B:3C:4D:5E"));
        assert_eq!(device.host.as_deref(), Some("printer-3f.example.co.jp"));
        assert_eq!(device.building.as_deref(), Some("本社ビル"));
        assert_eq!(device.location.as_deref(), Some("3F 東"));
        assert_eq!(
            device.remote_ui_url.as_deref(),
            Some("https://192.168.1.20:8443/rui/")
        );
        assert_eq!(device.lfp_unit, Some(LfpUnit::M2));
    }

    #[test]
    fn an_empty_input_reports_every_required_field() {
        let input = DeviceInput::default();

        let errors = error_codes(input);

        assert_eq!(
            errors,
            [
                ("serial", "required"),
                ("name", "required"),
                ("product", "required"),
                ("device_type", "required"),
                ("protocol", "required"),
            ]
        );
    }

    #[test]
    fn empty_optional_fields_count_as_absent() {
        let input = DeviceInput {
            mac: Some("".into()),
            host: Some("  ".into()),
            building: Some("".into()),
            location: Some("\u{3000}".into()),
            remote_ui_url: Some("".into()),
            lfp_unit: Some("".into()),
            ..valid_input()
        };

        let device = input.parse().unwrap();

        assert_eq!(device.mac, None);
        assert_eq!(device.host, None);
        assert_eq!(device.building, None);
        assert_eq!(device.location, None);
        assert_eq!(device.remote_ui_url, None);
        assert_eq!(device.lfp_unit, None);
    }

    #[test]
    fn a_serial_with_a_space_or_a_slash_is_refused_naming_them() {
        let input = DeviceInput {
            serial: Some("AB 12/3".into()),
            ..valid_input()
        };

        let errors = input.parse().unwrap_err();

        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field, errors[0].code()),
            ("serial", "invalid_character")
        );
        assert_eq!(
            errors[0].problem,
            Problem::InvalidCharacter {
                rule: CharRule::Serial,
                found: "U+0020 /".into()
            }
        );
    }

    #[test]
    fn a_serial_of_64_characters_is_accepted_and_one_of_65_is_not() {
        let longest = DeviceInput {
            serial: Some("S".repeat(64)),
            ..valid_input()
        };
        let too_long = DeviceInput {
            serial: Some("S".repeat(65)),
            ..valid_input()
        };

        let ok = longest.parse();
        let errors = error_codes(too_long);

        assert!(ok.is_ok());
        assert_eq!(errors, [("serial", "too_long")]);
    }

    #[test]
    fn texts_longer_than_100_characters_are_refused() {
        let long = "あ".repeat(101);
        let input = DeviceInput {
            name: Some(long.clone()),
            product: Some(long.clone()),
            building: Some(long.clone()),
            location: Some(long),
            ..valid_input()
        };

        let errors = error_codes(input);

        assert_eq!(
            errors,
            [
                ("name", "too_long"),
                ("product", "too_long"),
                ("building", "too_long"),
                ("location", "too_long"),
            ]
        );
    }

    #[test]
    fn control_characters_are_refused_in_every_text_field() {
        let input = DeviceInput {
            name: Some("a\u{0}".into()),
            product: Some("b\u{1b}[31m".into()),
            building: Some("c\nd".into()),
            location: Some("e\u{7f}".into()),
            remote_ui_url: Some("http://printer/\u{7}x".into()),
            ..valid_input()
        };

        let errors = error_codes(input);

        assert_eq!(
            errors,
            [
                ("name", "control_character"),
                ("product", "control_character"),
                ("building", "control_character"),
                ("location", "control_character"),
                ("remote_ui_url", "control_character"),
                ("remote_ui_url", "invalid_url"),
            ]
        );
    }

    #[test]
    fn an_unknown_device_type_or_protocol_lists_the_valid_ones() {
        let input = DeviceInput {
            device_type: Some("scanner".into()),
            protocol: Some("ftp".into()),
            ..valid_input()
        };

        let errors = input.parse().unwrap_err();

        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].code(), "invalid_choice");
        assert_eq!(
            errors[0].problem,
            Problem::InvalidChoice {
                choices: "mono_mfp, color_mfp, mono_lbp, color_lbp, lfp".into()
            }
        );
        assert_eq!(errors[1].field, "protocol");
        assert_eq!(
            errors[1].problem,
            Problem::InvalidChoice {
                choices: "http, smtp, snmp".into()
            }
        );
    }

    #[test]
    fn a_large_format_printer_needs_its_unit() {
        let input = DeviceInput {
            device_type: Some("lfp".into()),
            ..valid_input()
        };

        let errors = error_codes(input);

        assert_eq!(errors, [("lfp_unit", "required")]);
    }

    #[test]
    fn a_unit_on_a_device_that_is_not_an_lfp_is_refused() {
        let input = DeviceInput {
            device_type: Some("mono_lbp".into()),
            lfp_unit: Some("a4".into()),
            ..valid_input()
        };

        let errors = error_codes(input);

        assert_eq!(errors, [("lfp_unit", "lfp_unit_not_allowed")]);
    }

    #[test]
    fn an_unknown_lfp_unit_is_refused() {
        let input = DeviceInput {
            device_type: Some("lfp".into()),
            lfp_unit: Some("yards".into()),
            ..valid_input()
        };

        let errors = error_codes(input);

        assert_eq!(errors, [("lfp_unit", "invalid_choice")]);
    }

    #[test]
    fn mac_addresses_are_accepted_in_three_spellings_and_normalised() {
        let spellings = ["00:1a:2B:3c:4D:5e", "00-1A-2B-3C-4D-5E", "001a2b3c4d5e"];

        let normalised: Vec<Option<String>> = spellings.into_iter().map(normalize_mac).collect();

        for mac in normalised {
            assert_eq!(mac.as_deref(), Some("00:1A:2B:3C:4D:5E"));
        }
    }

    #[test]
    fn malformed_mac_addresses_are_refused() {
        for bad in [
            "00:1A:2B:3C:4D",
            "00:1A:2B:3C:4D:5G",
            "00:1A-2B:3C:4D:5E",
            "001A.2B3C.4D5E",
            "00:1A:2B:3C:4D:5E:6F",
            "0:1A:2B:3C:4D:5E0",
            "００１Ａ２Ｂ３Ｃ４Ｄ５Ｅ",
        ] {
            let mac = normalize_mac(bad);

            assert_eq!(mac, None, "{bad}");
        }
        let input = DeviceInput {
            mac: Some("zz".into()),
            ..valid_input()
        };
        assert_eq!(error_codes(input), [("mac", "invalid_mac")]);
    }

    #[test]
    fn hosts_may_be_ip_addresses_or_host_names() {
        for good in [
            "192.168.0.10",
            "fe80::1",
            "2001:db8::8a2e:370:7334",
            "printer",
            "mfp-3f.example.co.jp",
            "1st-floor.local",
        ] {
            let ok = is_valid_host(good);

            assert!(ok, "{good}");
        }
    }

    #[test]
    fn malformed_hosts_are_refused() {
        for bad in [
            "192.168.0.300",
            "printer_3f",
            "-printer",
            "printer-.example.com",
            "a..b",
            "example.com.",
            "プリンター.example.jp",
            "[fe80::1]",
            "host:8080",
        ] {
            let ok = is_valid_host(bad);

            assert!(!ok, "{bad}");
        }
        let input = DeviceInput {
            host: Some("a b".into()),
            ..valid_input()
        };
        assert_eq!(error_codes(input), [("host", "invalid_host")]);
    }

    #[test]
    fn a_host_longer_than_253_characters_is_too_long() {
        let label = "a".repeat(63);
        let host = [label.as_str(); 4].join(".") + ".com";
        let input = DeviceInput {
            host: Some(host),
            ..valid_input()
        };

        let errors = error_codes(input);

        assert_eq!(errors, [("host", "too_long")]);
    }

    #[test]
    fn remote_ui_urls_must_be_http_or_https_with_a_host() {
        for good in [
            "http://192.168.1.20/",
            "HTTPS://printer.example.com:8443/rui/index.html?x=1#top",
            "http://printer",
            "http://[fe80::1]:8000/",
            "https://mfp-3f.local/設定",
        ] {
            assert!(is_remote_ui_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "javascript://printer/%0Aalert(1)",
            "ftp://printer/",
            "file:///etc/passwd",
            "data:text/html,hi",
            "//printer/",
            "printer.example.com",
            "http://",
            "http:///path",
            "http://user:pw@printer/",
            "http://trusted.example@evil.example/",
            "http://printer:0/",
            "http://printer:65536/",
            "http://printer:/",
            "http://[fe80::1/",
            "http://printer /",
        ] {
            assert!(!is_remote_ui_url(bad), "{bad}");
        }
    }

    #[test]
    fn a_javascript_remote_ui_url_is_refused_as_invalid() {
        let input = DeviceInput {
            remote_ui_url: Some("javascript:alert(document.cookie)".into()),
            ..valid_input()
        };

        let errors = input.parse().unwrap_err();

        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field, errors[0].code()),
            ("remote_ui_url", "invalid_url")
        );
    }

    #[test]
    fn a_remote_ui_url_over_2000_characters_is_too_long() {
        let url = format!("http://printer/{}", "a".repeat(1986));
        let input = DeviceInput {
            remote_ui_url: Some(url.clone()),
            ..valid_input()
        };

        let errors = error_codes(input);

        assert_eq!(url.chars().count(), 2001);
        assert_eq!(errors, [("remote_ui_url", "too_long")]);
    }

    #[test]
    fn the_operator_api_body_deserializes_and_refuses_unknown_fields() {
        let body = r#"{"serial": "X1", "name": "n", "product": "p", "device_type": "lfp",
                       "protocol": "smtp", "lfp_unit": "sqft", "mac": null}"#;
        let unknown = r#"{"serial": "X1", "colour": "red"}"#;

        let input: DeviceInput = serde_json::from_str(body).unwrap();
        let refused = serde_json::from_str::<DeviceInput>(unknown);

        let device = input.parse().unwrap();
        assert_eq!(device.device_type, DeviceType::Lfp);
        assert_eq!(device.protocol, Protocol::Smtp);
        assert_eq!(device.lfp_unit, Some(LfpUnit::Sqft));
        assert!(refused.unwrap_err().to_string().contains("unknown field"));
    }
}
