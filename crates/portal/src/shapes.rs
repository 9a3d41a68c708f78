//! The JSON shapes of the portal's entities, shared by the JSON API and
//! `meterport admin --json`, so that both print the same thing.

use meterport_domain::device::LfpUnit;
use meterport_domain::person::{NameOrder, display_name};
use meterport_store::announcements::Announcement;
use meterport_store::audit::AuditEntry;
use meterport_store::devices::{Device, UnknownSerial};
use meterport_store::groups::Group;
use meterport_store::tenants::Tenant;
use meterport_store::tokens::{TokenInfo, TokenKind};
use meterport_store::users::User;
use serde_json::{Value, json};

use crate::service::operator::IssuedToken;

/// A time as RFC 3339 in UTC, `None` when absent (or out of range).
pub fn iso_text(ms: Option<i64>) -> Option<String> {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_string())
}

/// RFC 3339 in UTC, or null.
pub fn iso(ms: Option<i64>) -> Value {
    iso_text(ms).map_or(Value::Null, Value::String)
}

pub fn tenant_json(t: &Tenant) -> Value {
    json!({"id": t.id, "name": t.name, "timezone": t.timezone,
           "retention_months": t.retention_months,
           "notifications": {"holddown_minutes": t.notify.holddown_minutes,
                             "toner_digest_hour": t.notify.toner_digest_hour,
                             "late_after_hours": t.notify.late_after_hours}})
}

/// A user, without the password hash.
pub fn user_json(u: &User) -> Value {
    json!({
        "id": u.id, "username": u.username, "email": u.email, "language": u.language,
        "must_change_password": u.must_change_password,
        "password_changed_at": iso(Some(u.password_changed_at)),
        "failed_logins": u.failed_logins, "locked_until": iso(u.locked_until),
        "last_login_at": iso(u.last_login_at), "created_at": iso(Some(u.created_at)),
    })
}

/// A device with the field names of the read API's device detail (§7).
pub fn device_json(d: &Device) -> Value {
    json!({
        "id": d.id, "serial": d.serial, "name": d.name, "product": d.product,
        "device_type": d.device_type.as_str(), "protocol": d.protocol.as_str(),
        "status": d.status.as_str(),
        "mac": d.mac, "host": d.host, "building": d.building, "location": d.location,
        "remote_ui_url": d.remote_ui_url, "lfp_unit": d.lfp_unit.map(LfpUnit::as_str),
        "group": d.group.as_ref().map(|(id, name)| json!({"id": id, "name": name})),
        // The API speaks no language of its own: names in the seed's order, family first.
        "toner_admin": d.toner_admin.as_ref().map(|a| json!({
            "id": a.id,
            "name": display_name(NameOrder::FamilyFirst, &a.first_name, &a.last_name, &a.username),
            "email": a.email,
        })),
        "last_reading_at": iso(d.last_reading_at), "last_mail_at": iso(d.last_mail_at),
        // When the portal last heard from it, and its own "not reporting" threshold in hours
        // (null: the tenant's).
        "last_report_at": iso(d.last_report_at), "late_after_hours": d.late_after_hours,
    })
}

pub fn group_json(g: &Group) -> Value {
    json!({"id": g.id, "name": g.name, "device_count": g.device_count})
}

/// A token as listed: never the token itself, which only its issuer saw.
pub fn token_json(t: &TokenInfo) -> Value {
    json!({"id": t.id, "kind": t.kind, "username": t.username,
           "created_at": iso(Some(t.created_at)), "revoked_at": iso(t.revoked_at)})
}

pub fn issued_token_json(t: &IssuedToken) -> Value {
    let kind = match t.kind {
        TokenKind::Ingest => "ingest",
        TokenKind::Read => "read",
    };
    json!({"id": t.id, "kind": kind, "username": t.username, "token": t.token})
}

pub fn unknown_serial_json(s: &UnknownSerial) -> Value {
    json!({"serial": s.serial, "first_seen": iso(Some(s.first_seen)),
           "last_seen": iso(Some(s.last_seen)), "attempts": s.attempts})
}

pub fn audit_json(e: &AuditEntry) -> Value {
    // The detail is stored as JSON text; show it as the object it is.
    let detail = serde_json::from_str(&e.detail).unwrap_or_else(|_| Value::from(&*e.detail));
    json!({"id": e.id, "at": iso(Some(e.at)), "tenant_id": e.tenant_id, "actor": e.actor,
           "action": e.action, "detail": detail})
}

/// A refused meter mail as `meterport admin mail-rejects --json` shows it.
pub fn mail_reject_json(r: &meterport_store::mail_rejects::MailReject) -> Value {
    json!({"id": r.id, "received_at": iso(Some(r.received_at)), "tenant_id": r.tenant_id,
           "sender": r.sender, "client": r.client, "message_bytes": r.message_bytes,
           "truncated": r.truncated, "reason": r.reason})
}

/// An announcement as the API and `meterport admin --json` show it.
pub fn announcement_json(a: &Announcement) -> Value {
    json!({"id": a.id, "text_ja": a.text_ja, "text_en": a.text_en,
           "shown_from": iso(Some(a.shown_from)), "shown_until": iso(a.shown_until),
           "created_at": iso(Some(a.created_at))})
}
