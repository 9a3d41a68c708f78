//! What a poll read from one device, and what it means: identity, counters, conditions and
//! supplies. Pure functions over a [`Snapshot`] of OIDs and values, so that a test can feed
//! them a recording as well as a live agent ([`Snapshot::from_snmprec`]).

use std::collections::BTreeMap;

use async_snmp::{Oid, Value};
use meterport_domain::counters::Key;
use meterport_domain::device::SUPPLY_COLORS;
use meterport_domain::status::Severity;

use crate::vendors::{self, PRT_GENERAL_SERIAL, PRT_MARKER_LIFE_COUNT, Vendor};

pub const SYS_OBJECT_ID: &str = "1.3.6.1.2.1.1.2.0";
/// hrPrinterDetectedErrorState of the first device (RFC 2790).
pub const HR_PRINTER_ERROR_STATE: &str = "1.3.6.1.2.1.25.3.5.1.2.1";
/// prtMarkerSuppliesEntry (RFC 3805).
pub const PRT_SUPPLIES: &str = "1.3.6.1.2.1.43.11.1.1";
/// prtMarkerColorantValue.
pub const PRT_COLORANT_VALUE: &str = "1.3.6.1.2.1.43.12.1.1.4";
/// prtAlertEntry.
pub const PRT_ALERTS: &str = "1.3.6.1.2.1.43.18.1.1";

/// Every OID a poll read, with its value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot(pub BTreeMap<Oid, Value>);

pub fn oid(s: &str) -> Oid {
    Oid::parse(s).expect("a valid OID constant")
}

impl Snapshot {
    pub fn get(&self, o: &str) -> Option<&Value> {
        self.0.get(&oid(o)).filter(|v| !v.is_exception())
    }

    /// The rows under a column or table: (index arcs after `prefix`, value).
    pub fn under<'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'a [u32], &'a Value)> + use<'a> {
        let p = oid(prefix);
        let n = p.len();
        self.0
            .range(p.clone()..)
            .take_while(move |(o, _)| o.starts_with(&p))
            .filter(|(_, v)| !v.is_exception())
            .map(move |(o, v)| (&o.arcs()[n..], v))
    }

    /// Reads an snmpsim recording (`OID|tag|value` lines): the same data a test's agent
    /// serves, for tests of the interpretation alone.
    pub fn from_snmprec(text: &str) -> Snapshot {
        let mut map = BTreeMap::new();
        for line in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let mut parts = line.splitn(3, '|');
            let (Some(o), Some(tag), Some(value)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let tag = tag.split(':').next().unwrap_or(tag);
            let value = value.split('|').next().unwrap_or(value);
            let v = match tag {
                "2" => Value::Integer(value.parse().unwrap_or(0)),
                "4" => Value::OctetString(value.as_bytes().to_vec().into()),
                "4x" => Value::OctetString(hex_bytes(value).into()),
                "6" => Value::ObjectIdentifier(oid(value)),
                "65" => Value::Counter32(value.parse().unwrap_or(0)),
                "66" => Value::Gauge32(value.parse().unwrap_or(0)),
                "67" => Value::TimeTicks(value.parse().unwrap_or(0)),
                "70" => Value::Counter64(value.parse().unwrap_or(0)),
                _ => continue,
            };
            map.insert(oid(o), v);
        }
        Snapshot(map)
    }
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// A counter value as read, with whether it is a 32-bit quantity that can wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawCounter {
    pub value: u64,
    pub wraps_at_32: bool,
}

/// A supply as the status ingest takes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SupplyOut {
    pub name: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    pub level_percent: Option<i64>,
    pub state: String,
}

/// An active condition as the status ingest takes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConditionOut {
    pub code: String,
    pub severity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What one device said, interpreted.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceData {
    pub serial: String,
    pub vendor: Option<&'static str>,
    pub counters: Vec<(Key, RawCounter)>,
    pub conditions: Vec<ConditionOut>,
    pub supplies: Vec<SupplyOut>,
}

/// The vendor table of a snapshot's sysObjectID.
pub fn vendor_of(s: &Snapshot) -> Option<&'static Vendor> {
    match s.get(SYS_OBJECT_ID)? {
        Value::ObjectIdentifier(o) => vendors::by_sys_object_id(o.arcs()),
        _ => None,
    }
}

/// Interprets a snapshot; `None` when the device has no serial at all.
pub fn interpret(s: &Snapshot) -> Option<DeviceData> {
    let vendor = vendor_of(s);
    let serial = serial_of(s, vendor)?;
    Some(DeviceData {
        serial,
        vendor: vendor.map(|v| v.name),
        counters: counters_of(s, vendor),
        conditions: conditions_of(s),
        supplies: supplies_of(s),
    })
}

/// The serial: the vendor's serial OIDs in order, then prtGeneralSerialNumber.
pub fn serial_of(s: &Snapshot, vendor: Option<&Vendor>) -> Option<String> {
    vendor
        .map_or(&[][..], |v| v.serials)
        .iter()
        .chain(std::iter::once(&PRT_GENERAL_SERIAL))
        .filter_map(|o| s.get(o)?.as_bytes())
        .find_map(clean_serial)
}

/// Strips what is not the serial: control characters and bytes outside printable ASCII
/// (some HP models send two binary bytes before it; others pad with NULs or spaces), and the
/// quotes some firmware wraps it in. A serial is printable ASCII on every label we know.
pub fn clean_serial(raw: &[u8]) -> Option<String> {
    let kept: String = raw
        .iter()
        .filter(|b| b.is_ascii_graphic() || **b == b' ')
        .map(|b| *b as char)
        .collect();
    let serial = kept.trim().trim_matches('"').trim();
    // Placeholders some agents answer before the engine has told them the serial.
    let placeholder = serial.chars().all(|c| c == '0' || c == '-' || c == '?')
        || serial.eq_ignore_ascii_case("unknown")
        || serial.eq_ignore_ascii_case("none");
    (!serial.is_empty() && !placeholder && serial.len() <= 64).then(|| serial.to_string())
}

fn counter_value(v: &Value) -> Option<RawCounter> {
    let (value, wraps_at_32) = match v {
        Value::Counter32(n) | Value::Gauge32(n) => (u64::from(*n), true),
        // Many printers declare their counters INTEGER; past 2^31 they read negative, which
        // is the same 32 bits.
        Value::Integer(n) => (u64::from(*n as u32), true),
        Value::Counter64(n) => (*n, false),
        // A few firmwares answer counters as text.
        Value::OctetString(b) => (std::str::from_utf8(b).ok()?.trim().parse().ok()?, false),
        _ => return None,
    };
    Some(RawCounter { value, wraps_at_32 })
}

pub fn counters_of(s: &Snapshot, vendor: Option<&Vendor>) -> Vec<(Key, RawCounter)> {
    let mut out: Vec<(Key, RawCounter)> = Vec::new();
    let total = vendor
        .and_then(|v| v.total1)
        .and_then(|o| s.get(o))
        .and_then(counter_value);
    let total = total.or_else(|| s.get(PRT_MARKER_LIFE_COUNT).and_then(counter_value));
    if let Some(t) = total {
        out.push((Key::Total1, t));
    }
    if let Some(v) = vendor {
        for c in v.counters {
            if let Some(value) = s.get(c.oid).and_then(counter_value) {
                out.push((c.key, value));
            }
        }
        if let Some(t) = v.typed {
            for (index, ty) in s.under(t.type_column) {
                let Some(ty) = ty.as_i32() else { continue };
                let Some((_, key)) = t.rows.iter().find(|(code, _)| *code == i64::from(ty)) else {
                    continue;
                };
                let value_oid = format!("{}.{}", t.value_column, join(index));
                if let Some(value) = s.get(&value_oid).and_then(counter_value) {
                    // The vendor's typed total replaces the life count, like a scalar one.
                    out.retain(|(k, _)| k != key);
                    out.push((*key, value));
                }
            }
        }
    }
    out.sort_by_key(|(k, _)| *k);
    out
}

fn join(arcs: &[u32]) -> String {
    arcs.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// hrPrinterDetectedErrorState bits (RFC 2790; first octet's high bit is bit 0) and the
/// condition each raises. Only these, and the alert table, make conditions: not
/// hrDeviceStatus (which says "warning" for a low toner the supplies already show) and not
/// the supply levels.
const ERROR_STATE_BITS: [(u8, u8, &str, Severity); 15] = [
    (0, 0x80, "low_paper", Severity::Warning),
    (0, 0x40, "no_paper", Severity::Error),
    (0, 0x20, "low_toner", Severity::Warning),
    (0, 0x10, "no_toner", Severity::Error),
    (0, 0x08, "door_open", Severity::Error),
    (0, 0x04, "jammed", Severity::Error),
    (0, 0x02, "offline", Severity::Error),
    (0, 0x01, "service_requested", Severity::ServiceCall),
    (1, 0x80, "input_tray_missing", Severity::Error),
    (1, 0x40, "output_tray_missing", Severity::Error),
    (1, 0x20, "marker_supply_missing", Severity::Error),
    (1, 0x10, "output_near_full", Severity::Warning),
    (1, 0x08, "output_full", Severity::Error),
    (1, 0x04, "input_tray_empty", Severity::Warning),
    (1, 0x02, "overdue_prevent_maint", Severity::Warning),
];

/// prtAlertCode values (RFC 3805 PrtAlertCodeTC) that are problems, with their severity.
/// Everything else (powerUp, coverClosed, a fuser warming up, configuration changes, media
/// changes...) is information that real printers keep in the table long after; it raises
/// nothing. Failures a user cannot clear are service calls.
fn alert_severity(code: i32) -> Option<(&'static str, Severity)> {
    use Severity::{Error, ServiceCall, Warning};
    Some(match code {
        3 => ("cover_open", Error),
        5 => ("interlock_open", Error),
        8 => ("jam", Error),
        9 => ("subunit_missing", Error),
        10 => ("subunit_life_almost_over", Warning),
        11 => ("subunit_life_over", Error),
        12 => ("subunit_almost_empty", Warning),
        13 => ("subunit_empty", Error),
        14 => ("subunit_almost_full", Warning),
        15 => ("subunit_full", Error),
        16 => ("subunit_near_limit", Warning),
        17 => ("subunit_at_limit", Error),
        18 => ("subunit_opened", Error),
        22 => ("subunit_offline", Error),
        29 => ("subunit_recoverable_failure", Warning),
        30 => ("subunit_unrecoverable_failure", ServiceCall),
        31 => ("subunit_recoverable_storage_error", Warning),
        32 => ("subunit_unrecoverable_storage_error", ServiceCall),
        33 => ("subunit_motor_failure", ServiceCall),
        34 => ("subunit_memory_exhausted", Error),
        35 => ("subunit_under_temperature", ServiceCall),
        36 => ("subunit_over_temperature", ServiceCall),
        37 => ("subunit_timing_failure", ServiceCall),
        38 => ("subunit_thermistor_failure", ServiceCall),
        501 => ("door_open", Error),
        801 => ("input_tray_missing", Error),
        807 => ("input_media_supply_low", Warning),
        808 => ("input_media_supply_empty", Error),
        809 => ("input_media_change_request", Warning),
        810 => ("input_manual_input_request", Warning),
        811 => ("input_tray_position_failure", Error),
        812 => ("input_tray_elevation_failure", Error),
        813 => ("input_cannot_feed_size_selected", Error),
        901 => ("output_tray_missing", Error),
        902 => ("output_tray_almost_full", Warning),
        903 => ("output_tray_full", Error),
        904 => ("output_mailbox_select_failure", Error),
        1001 => ("fuser_under_temperature", ServiceCall),
        1002 => ("fuser_over_temperature", ServiceCall),
        1003 => ("fuser_timing_failure", ServiceCall),
        1004 => ("fuser_thermistor_failure", ServiceCall),
        1101 => ("toner_empty", Error),
        1102 => ("ink_empty", Error),
        1103 => ("ribbon_empty", Error),
        1104 => ("toner_almost_empty", Warning),
        1105 => ("ink_almost_empty", Warning),
        1106 => ("ribbon_almost_empty", Warning),
        1107 => ("waste_toner_almost_full", Warning),
        1108 => ("waste_ink_almost_full", Warning),
        1109 => ("waste_toner_full", Error),
        1110 => ("waste_ink_full", Error),
        1111 => ("opc_life_almost_over", Warning),
        1112 => ("opc_life_over", Error),
        1113 => ("developer_almost_empty", Warning),
        1114 => ("developer_empty", Error),
        1115 => ("toner_cartridge_missing", Error),
        1301 => ("media_path_tray_missing", Error),
        1302 => ("media_path_tray_almost_full", Warning),
        1303 => ("media_path_tray_full", Error),
        1304 => ("cannot_duplex_media_selected", Warning),
        _ => return None,
    })
}

fn text_of(v: &Value) -> Option<String> {
    let b = v.as_bytes()?;
    let s: String = String::from_utf8_lossy(b)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.chars().take(100).collect())
}

pub fn conditions_of(s: &Snapshot) -> Vec<ConditionOut> {
    let mut out: Vec<ConditionOut> = Vec::new();
    if let Some(bits) = s.get(HR_PRINTER_ERROR_STATE).and_then(Value::as_bytes) {
        for (octet, mask, code, severity) in ERROR_STATE_BITS {
            if bits.get(usize::from(octet)).is_some_and(|b| b & mask != 0) {
                out.push(ConditionOut {
                    code: code.to_string(),
                    severity: severity.as_str().to_string(),
                    message: None,
                });
            }
        }
    }
    // prtAlertTable rows: index (hrDeviceIndex, prtAlertIndex); .7 code, .8 description.
    let mut alerts: Vec<(&[u32], i32)> = s
        .under(&format!("{PRT_ALERTS}.7"))
        .filter_map(|(index, v)| Some((index, v.as_i32()?)))
        .collect();
    alerts.sort();
    for (index, code) in alerts {
        let Some((name, severity)) = alert_severity(code) else {
            continue;
        };
        let description = s
            .get(&format!("{PRT_ALERTS}.8.{}", join(index)))
            .and_then(text_of);
        let code = format!("alert.{name}");
        match out.iter_mut().find(|c| c.code == code) {
            // One condition per code: two trays missing are one "input tray missing" whose
            // message names both.
            Some(existing) => {
                if let Some(d) = description {
                    let joined = match existing.message.take() {
                        Some(m) if !m.contains(&d) => format!("{m}; {d}"),
                        Some(m) => m,
                        None => d,
                    };
                    existing.message = Some(joined.chars().take(500).collect());
                }
            }
            None => out.push(ConditionOut {
                code,
                severity: severity.as_str().to_string(),
                message: description,
            }),
        }
    }
    out
}

/// The colours the portal knows, from a colorant's name ("Black", "photo black", "grey").
fn color_of(name: &str) -> Option<String> {
    let n = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    let n = n.replace("grey", "gray");
    SUPPLY_COLORS.contains(&n.as_str()).then_some(n)
}

/// The supplies, from prtMarkerSuppliesTable (RFC 3805): .3 colorant index, .4 class,
/// .5 type, .6 description, .8 max capacity, .9 level.
///
/// Level: -1 unrestricted (no limit: ok, no percentage); -2 unknown; -3 "some remaining"
/// (never a percentage); Ricoh's -100 empty; otherwise level x 100 / max, null when max is
/// not known (-1, -2 or 0). A waste receptacle (class 4) reports how full it is, and is sent
/// as the device says, not inverted.
pub fn supplies_of(s: &Snapshot) -> Vec<SupplyOut> {
    let col = |c: u32, index: &[u32]| s.get(&format!("{PRT_SUPPLIES}.{c}.{}", join(index)));
    let mut out = Vec::new();
    for (index, desc) in s.under(&format!("{PRT_SUPPLIES}.6")) {
        if out.len() == 32 {
            break;
        }
        let Some(name) = text_of(desc) else { continue };
        let ty = col(5, index).and_then(Value::as_i32).unwrap_or(2);
        let class = col(4, index).and_then(Value::as_i32).unwrap_or(3);
        let kind = match ty {
            3 | 21 | 35 => "toner",
            5 | 6 | 36 => "ink",
            9 => "drum",
            _ => "other",
        };
        let color = index.first().and_then(|device| {
            let colorant = col(3, index).and_then(Value::as_i32).filter(|c| *c > 0)?;
            let v = s.get(&format!("{PRT_COLORANT_VALUE}.{device}.{colorant}"))?;
            color_of(&text_of(v)?)
        });
        let max = col(8, index).and_then(Value::as_i32).unwrap_or(-2);
        let level = col(9, index).and_then(Value::as_i32).unwrap_or(-2);
        let waste = class == 4;
        let (level_percent, state) = match level {
            -3 => (None, "some_remaining"),
            -1 => (None, "ok"),
            -100 => (Some(0), "empty"),
            l if l < 0 => (None, "unknown"),
            l if max > 0 => {
                let pct = (i64::from(l) * 100 / i64::from(max)).clamp(0, 100);
                let state = if waste {
                    "ok"
                } else if pct == 0 {
                    "empty"
                } else if pct <= 10 {
                    "low"
                } else {
                    "ok"
                };
                (Some(pct), state)
            }
            0 if !waste => (None, "empty"),
            _ => (None, "unknown"),
        };
        out.push(SupplyOut {
            name,
            kind: kind.to_string(),
            color,
            level_percent,
            state: state.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_serial_loses_binary_framing_control_characters_and_quotes() {
        assert_eq!(
            clean_serial(b"\x01\x0cCNB1234567").as_deref(),
            Some("CNB1234567")
        );
        assert_eq!(
            clean_serial(b"\"XAB123\"\0\0\r\n").as_deref(),
            Some("XAB123")
        );
        assert_eq!(clean_serial(b"  \0 "), None);
        assert_eq!(clean_serial(b"0000000"), None);
        assert_eq!(clean_serial(b"Unknown"), None);
    }

    #[test]
    fn the_vendor_serial_comes_before_the_printer_mib_one() {
        let s = Snapshot::from_snmprec(
            "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1248.1.1.2\n\
             1.3.6.1.2.1.43.5.1.1.17.1|4|GENERIC1\n\
             1.3.6.1.4.1.1248.1.2.2.1.1.1.5.1|4|EPSONSERIAL\n",
        );
        assert_eq!(serial_of(&s, vendor_of(&s)).as_deref(), Some("EPSONSERIAL"));
        let s = Snapshot::from_snmprec("1.3.6.1.2.1.43.5.1.1.17.1|4x|0102414243\n");
        assert_eq!(serial_of(&s, vendor_of(&s)).as_deref(), Some("ABC"));
        assert!(
            interpret(&Snapshot::from_snmprec(
                "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11.1\n"
            ))
            .is_none()
        );
    }

    #[test]
    fn error_state_bits_and_problem_alerts_become_conditions_and_information_does_not() {
        // 0x24: lowToner + jammed; second octet 0x82: inputTrayMissing + overduePreventMaint;
        // 0x01 service requested is not set.
        let s = Snapshot::from_snmprec(
            "1.3.6.1.2.1.25.3.5.1.2.1|4x|2482\n\
             1.3.6.1.2.1.43.18.1.1.7.1.1|2|503\n\
             1.3.6.1.2.1.43.18.1.1.8.1.1|4|Power up\n\
             1.3.6.1.2.1.43.18.1.1.7.1.2|2|8\n\
             1.3.6.1.2.1.43.18.1.1.8.1.2|4|Paper jam in tray 2\n\
             1.3.6.1.2.1.43.18.1.1.7.1.3|2|1024\n\
             1.3.6.1.2.1.43.18.1.1.7.1.4|2|801\n\
             1.3.6.1.2.1.43.18.1.1.8.1.4|4|Tray 1 missing\n\
             1.3.6.1.2.1.43.18.1.1.7.1.5|2|801\n\
             1.3.6.1.2.1.43.18.1.1.8.1.5|4|Tray 3 missing\n\
             1.3.6.1.2.1.43.18.1.1.7.1.6|2|30\n",
        );
        let got: Vec<(String, String, Option<String>)> = conditions_of(&s)
            .into_iter()
            .map(|c| (c.code, c.severity, c.message))
            .collect();
        let want = [
            ("low_toner", "warning", None),
            ("jammed", "error", None),
            ("input_tray_missing", "error", None),
            ("overdue_prevent_maint", "warning", None),
            ("alert.jam", "error", Some("Paper jam in tray 2")),
            (
                "alert.input_tray_missing",
                "error",
                Some("Tray 1 missing; Tray 3 missing"),
            ),
            ("alert.subunit_unrecoverable_failure", "service_call", None),
        ];
        let want: Vec<(String, String, Option<String>)> = want
            .iter()
            .map(|(c, s, m)| (c.to_string(), s.to_string(), m.map(str::to_string)))
            .collect();
        assert_eq!(got, want);
        let s = Snapshot::from_snmprec("1.3.6.1.2.1.25.3.5.1.2.1|4x|0100\n");
        assert_eq!(conditions_of(&s)[0].severity, "service_call");
        assert!(
            conditions_of(&Snapshot::from_snmprec(
                "1.3.6.1.2.1.25.3.5.1.2.1|4x|0000\n"
            ))
            .is_empty()
        );
    }

    /// Name, kind, colour, percent and state of a supply.
    type SupplyRow = (String, String, Option<String>, Option<i64>, String);

    #[test]
    fn supply_levels_follow_the_printer_mib_and_ricohs_empty() {
        let mut rec = String::from(
            "1.3.6.1.2.1.43.12.1.1.4.1.1|4|black\n1.3.6.1.2.1.43.12.1.1.4.1.2|4|Cyan\n",
        );
        // (index, class, type, colorant, max, level, name)
        let rows = [
            (1, 3, 3, 1, 20000, 5000, "Black Toner"),
            (2, 3, 3, 2, 100, -3, "Cyan Toner"),
            (3, 3, 9, 0, -2, 40, "Drum"),
            (4, 4, 4, 0, 100, 80, "Waste Toner"),
            (5, 3, 3, 1, 100, -100, "Ricoh Toner"),
            (6, 3, 3, 1, 100, 7, "Low Toner"),
            (7, 3, 32, 0, -1, -1, "Staples"),
            (8, 3, 3, 0, 100, -2, "Unknown Toner"),
        ];
        for (i, class, ty, colorant, max, level, name) in rows {
            let p = "1.3.6.1.2.1.43.11.1.1";
            rec.push_str(&format!(
                "{p}.3.1.{i}|2|{colorant}\n{p}.4.1.{i}|2|{class}\n{p}.5.1.{i}|2|{ty}\n\
                 {p}.6.1.{i}|4|{name}\n{p}.8.1.{i}|2|{max}\n{p}.9.1.{i}|2|{level}\n"
            ));
        }
        let got: Vec<SupplyRow> = supplies_of(&Snapshot::from_snmprec(&rec))
            .into_iter()
            .map(|s| (s.name, s.kind, s.color, s.level_percent, s.state))
            .collect();
        let b = |s: &str| Some(s.to_string());
        let want = vec![
            ("Black Toner", "toner", b("black"), Some(25), "ok"),
            ("Cyan Toner", "toner", b("cyan"), None, "some_remaining"),
            ("Drum", "drum", None, None, "unknown"),
            ("Waste Toner", "other", None, Some(80), "ok"),
            ("Ricoh Toner", "toner", b("black"), Some(0), "empty"),
            ("Low Toner", "toner", b("black"), Some(7), "low"),
            ("Staples", "other", None, None, "ok"),
            ("Unknown Toner", "toner", None, None, "unknown"),
        ];
        let want: Vec<_> = want
            .into_iter()
            .map(|(n, k, c, l, s)| (n.to_string(), k.to_string(), c, l, s.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn total1_is_the_vendor_total_and_otherwise_the_life_count_never_a_sum() {
        let canon = Snapshot::from_snmprec(
            "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.1602.4.7\n\
             1.3.6.1.2.1.43.10.2.1.4.1.1|65|999\n\
             1.3.6.1.4.1.1602.1.11.1.3.1.4.101|65|1000\n\
             1.3.6.1.4.1.1602.1.11.1.3.1.4.106|65|300\n\
             1.3.6.1.4.1.1602.1.11.1.3.1.4.108|2|-2\n",
        );
        let got = counters_of(&canon, vendor_of(&canon));
        assert_eq!(
            got[0],
            (
                Key::Total1,
                RawCounter {
                    value: 1000,
                    wraps_at_32: true
                }
            )
        );
        assert_eq!(got[1].0, Key::Color);
        // An INTEGER past 2^31 reads negative: the same 32 bits.
        assert_eq!(
            got[2],
            (
                Key::Mono,
                RawCounter {
                    value: 4_294_967_294,
                    wraps_at_32: true
                }
            )
        );
        let sharp = Snapshot::from_snmprec(
            "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2385.3.1\n1.3.6.1.2.1.43.10.2.1.4.1.1|70|12345678901\n",
        );
        assert_eq!(
            counters_of(&sharp, vendor_of(&sharp)),
            vec![(
                Key::Total1,
                RawCounter {
                    value: 12_345_678_901,
                    wraps_at_32: false
                }
            )]
        );
    }
}
