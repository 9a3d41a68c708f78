//! The OpenAPI 3.1 description of the JSON API (SPEC B2), served at
//! `GET /api/v1/openapi.json` without a token: it describes the API and holds no data.
//!
//! The operations are the `#[utoipa::path]` annotations on the handlers themselves (in
//! `api::operator`, `api::announcements`, `api::ingest`, `api::read`); the shapes are the
//! schema types below. The handlers build their answers with `json!` (and the counters
//! answer is written by hand, row by row, for speed), so these types are the contract
//! written down, not the code that writes it: the integration tests check every answer
//! of the suite's API requests against them (`tests/it/harness/openapi.rs`), and every
//! `/api/` route of the router against the paths here, so that the two cannot drift apart.
//! The schemas say `additionalProperties: false`: a field added to an answer and not here
//! fails the suite.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

/// The document as JSON text, made once.
pub fn document_json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serializes")
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document_json(),
    )
        .into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "meterport API",
        description = "The fleet portal's JSON API (SPEC §7): the operator API (operator \
            token), ingest of readings and status (a tenant's ingest token), and the customer \
            read API (a user's read token). Every refusal is a 4xx with the `Error` shape.",
        license(name = "MIT")
    ),
    modifiers(&Security),
    paths(
        openapi_json,
        super::operator::list_tenants,
        super::operator::post_tenant,
        super::operator::get_tenant,
        super::operator::list_users,
        super::operator::post_user,
        super::operator::get_user,
        super::operator::del_user,
        super::operator::post_reset,
        super::operator::post_unlock,
        super::operator::list_devices,
        super::operator::post_device,
        super::operator::get_device,
        super::operator::del_device,
        super::operator::list_groups,
        super::operator::post_group,
        super::operator::patch_group,
        super::operator::del_group,
        super::operator::post_ingest_token,
        super::operator::post_api_token,
        super::operator::list_tokens,
        super::operator::del_token,
        super::operator::unknown_serials,
        super::announcements::list,
        super::announcements::post,
        super::announcements::del,
        super::ingest::readings,
        super::ingest::status,
        super::read::devices,
        super::read::device,
        super::read::counters,
        super::read::counters_csv,
    ),
    tags(
        (name = "operator", description = "The service company's operators (operator token)."),
        (name = "ingest", description = "Devices and collectors report (ingest token)."),
        (name = "read", description = "A customer user's read token: what that user sees."),
        (name = "meta", description = "This description."),
    )
)]
pub struct ApiDoc;

/// The refusals every route with a token can answer: no token or another one (401), and any
/// other refusal in the §7 shape (`default`); named once here rather than on each route.
pub struct Refusals;

/// [`Refusals`], and 404: no such resource of the tenant (or the operator API is off).
pub struct RefusalsOrMissing;

/// A response whose body is the §7 error.
fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
        .into()
}

impl IntoResponses for Refusals {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        BTreeMap::from([
            (
                "401".to_string(),
                error_response("No token, or not this one."),
            ),
            (
                "default".to_string(),
                error_response("A refusal (SPEC §7)."),
            ),
        ])
    }
}

impl IntoResponses for RefusalsOrMissing {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        let mut all = Refusals::responses();
        all.insert(
            "404".to_string(),
            error_response("No such resource (or the operator API is off)."),
        );
        all
    }
}

/// The three bearer tokens.
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, what) in [
            (
                "operator_token",
                "The operator token of the configuration (METERPORT_OPERATOR_TOKEN).",
            ),
            ("ingest_token", "A tenant's ingest token (`mpi_...`)."),
            (
                "read_token",
                "A user's read token: it sees what that user sees.",
            ),
        ] {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.description = Some(what.to_string());
            components.add_security_scheme(name, SecurityScheme::Http(http));
        }
    }
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 description of this API.", content_type = "application/json", body = Object))
)]
#[allow(dead_code)]
fn openapi_json() {}

// =============================================================================================
// Shapes shared by every route
// =============================================================================================

/// Every refusal under `/api/` (SPEC §7), also the router's own (unknown path, wrong method,
/// body too large).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Error {
    pub error: ErrorBody,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// A stable code: `unauthorized`, `not_found`, `validation_failed`, `invalid_query`,
    /// `bad_request`, `conflict`, `method_not_allowed`, `payload_too_large`, ...
    pub code: String,
    /// A sentence for a person, in English.
    pub message: String,
    /// One entry per problem: the field (and the item's index in a batch), a code and a
    /// sentence. Empty when the message says all.
    pub details: Vec<ErrorDetail>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// The item of a batch (0-based).
    pub index: Option<u64>,
    /// The field or query parameter, e.g. `counters.total1` or `from`.
    pub field: Option<String>,
    pub code: Option<String>,
    pub message: String,
    /// A CSV cell that the chosen encoding cannot hold: its row and column (from 1), the
    /// column's heading and the cell's text.
    pub row: Option<u64>,
    pub column: Option<u64>,
    pub heading: Option<String>,
    pub value: Option<String>,
}

/// `{"id", "name"}` of a device group.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRef {
    pub id: i64,
    pub name: String,
}

/// An RFC 3339 time in UTC.
type Time = String;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceType {
    MonoMfp,
    ColorMfp,
    MonoLbp,
    ColorLbp,
    Lfp,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Http,
    Smtp,
    Snmp,
}

/// The unit of a large-format printer's counters.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LfpUnit {
    A4,
    Letter,
    M2,
    Sqft,
}

/// S9: the most severe open condition, `unknown` for a device never heard from.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Normal,
    Unknown,
    Warning,
    Error,
    ServiceCall,
}

/// `ok`, or `late`: nothing has arrived for longer than the device's threshold.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reporting {
    Ok,
    Late,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Ingest,
    Read,
}

// =============================================================================================
// Operator API
// =============================================================================================

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    pub id: i64,
    pub name: String,
    /// IANA zone: periods are days and months in it (T3).
    pub timezone: String,
    /// Months of readings kept; null: everything.
    #[schema(required = true)]
    pub retention_months: Option<i64>,
    pub notifications: TenantNotifications,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantNotifications {
    pub holddown_minutes: i64,
    pub toner_digest_hour: i64,
    pub late_after_hours: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantList {
    pub tenants: Vec<Tenant>,
}

/// A new tenant: `retention_months` null keeps everything, absent takes the default (39).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    pub name: String,
    pub timezone: Option<String>,
    pub retention_months: Option<i64>,
}

/// A customer user (never the password hash).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[schema(required = true)]
    pub email: Option<String>,
    /// `ja` or `en`.
    pub language: String,
    pub must_change_password: bool,
    pub password_changed_at: Time,
    pub failed_logins: i64,
    #[schema(required = true)]
    pub locked_until: Option<Time>,
    #[schema(required = true)]
    pub last_login_at: Option<Time>,
    pub created_at: Time,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserList {
    pub users: Vec<User>,
}

/// A new user; the password follows S24 (6-512 characters, a lower-case letter and a digit).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub email: Option<String>,
    /// `ja` (default) or `en`.
    pub language: Option<String>,
}

/// A new password; the user must change it at the next login.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

/// The user who looks after a device's toner.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TonerAdmin {
    pub id: i64,
    /// Family name first.
    pub name: String,
    #[schema(required = true)]
    pub email: Option<String>,
}

/// A device as the operator API shows it.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub id: i64,
    pub serial: String,
    pub name: String,
    pub product: String,
    pub device_type: DeviceType,
    pub protocol: Protocol,
    pub status: Status,
    #[schema(required = true)]
    pub mac: Option<String>,
    #[schema(required = true)]
    pub host: Option<String>,
    #[schema(required = true)]
    pub building: Option<String>,
    #[schema(required = true)]
    pub location: Option<String>,
    #[schema(required = true)]
    pub remote_ui_url: Option<String>,
    #[schema(required = true)]
    pub lfp_unit: Option<LfpUnit>,
    #[schema(required = true)]
    pub group: Option<GroupRef>,
    #[schema(required = true)]
    pub toner_admin: Option<TonerAdmin>,
    #[schema(required = true)]
    pub last_reading_at: Option<Time>,
    #[schema(required = true)]
    pub last_mail_at: Option<Time>,
    /// When the portal last heard from it (reading, status or meter mail); null: never.
    #[schema(required = true)]
    pub last_report_at: Option<Time>,
    /// Its own "not reporting" threshold in hours; null: the tenant's.
    #[schema(required = true)]
    pub late_after_hours: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorDeviceList {
    pub devices: Vec<Device>,
}

/// A new device (every field is checked, all problems named at once).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    /// Unique across the portal: 1-64 of `A-Z a-z 0-9 . _ -`.
    pub serial: String,
    pub name: String,
    pub product: String,
    pub device_type: DeviceType,
    pub protocol: Protocol,
    pub mac: Option<String>,
    pub host: Option<String>,
    pub building: Option<String>,
    pub location: Option<String>,
    pub remote_ui_url: Option<String>,
    /// Required for an LFP, refused for others.
    pub lfp_unit: Option<LfpUnit>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub device_count: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupList {
    pub groups: Vec<Group>,
}

/// A group's name (S22 rules) and members; on PATCH an absent member is left as it is.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub name: Option<String>,
    pub device_ids: Option<Vec<i64>>,
}

/// A token just issued: `token` is shown this once.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuedToken {
    pub id: i64,
    pub kind: TokenKind,
    /// The user a read token acts as; null for an ingest token.
    #[schema(required = true)]
    pub username: Option<String>,
    pub token: String,
}

/// The user a read token acts as.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadTokenRequest {
    pub username: String,
}

/// A token as listed: never the token itself.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInfo {
    pub id: i64,
    pub kind: TokenKind,
    #[schema(required = true)]
    pub username: Option<String>,
    pub created_at: Time,
    #[schema(required = true)]
    pub revoked_at: Option<Time>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnknownSerial {
    pub serial: String,
    pub first_seen: Time,
    pub last_seen: Time,
    pub attempts: i64,
}

/// A page of the serials that tried to report unregistered (the latest 1,000 are kept).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnknownSerialPage {
    pub serials: Vec<UnknownSerial>,
    pub total: i64,
    /// Serials dropped to keep the list at 1,000.
    pub dropped: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Announcement {
    pub id: i64,
    pub text_ja: String,
    pub text_en: String,
    pub shown_from: Time,
    #[schema(required = true)]
    pub shown_until: Option<Time>,
    pub created_at: Time,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementList {
    pub announcements: Vec<Announcement>,
}

/// Times are RFC 3339 with an offset; no `shown_until` shows it until deleted.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnnouncement {
    pub text_ja: String,
    pub text_en: String,
    pub shown_from: Time,
    pub shown_until: Option<Time>,
}

// =============================================================================================
// Ingest API
// =============================================================================================

/// One reading: a device's cumulative counters at one instant.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    pub serial: String,
    /// RFC 3339 with an offset, at most 10 minutes in the future.
    pub read_at: String,
    /// C1 counter names (`total1`, `color`, ..., `paper_a4`, ..., `duty_a`) to plain decimal
    /// numbers (no exponent; whole numbers for sheet counters, up to 3 decimals for LFPs).
    pub counters: BTreeMap<String, f64>,
}

/// One reading or an array of up to 50,000: all are stored or none.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum Readings {
    One(Reading),
    Many(Vec<Reading>),
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestResult {
    /// New readings stored.
    pub accepted: u64,
    /// Exact repeats (also within the request), not stored twice.
    pub duplicates: u64,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    pub code: String,
    /// `service_call`, `error` or `warning`.
    pub severity: String,
    pub message: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyInput {
    pub name: Option<String>,
    /// `toner`, `ink`, `drum`, `waste`, ...
    pub kind: Option<String>,
    pub color: Option<String>,
    /// 0-100, or null when the device cannot tell.
    pub level_percent: Option<i64>,
    /// `ok`, `low`, `empty`, `some_remaining`, `unknown`; absent: the level decides.
    pub state: Option<String>,
}

/// The full set of a device's active conditions (empty: normal), and its supplies.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusReport {
    pub serial: String,
    /// RFC 3339 with an offset.
    pub at: String,
    pub conditions: Vec<ConditionInput>,
    pub supplies: Option<Vec<SupplyInput>>,
}

/// One report or an array of them.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum StatusReports {
    One(StatusReport),
    Many(Vec<StatusReport>),
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusResult {
    /// Reports applied.
    pub applied: u64,
    /// Reports older than the last one applied for their device: counted and ignored.
    pub stale: u64,
}

// =============================================================================================
// Read API
// =============================================================================================

/// A device in the list.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceSummary {
    pub id: i64,
    pub serial: String,
    pub name: String,
    pub product: String,
    pub device_type: DeviceType,
    pub status: Status,
    #[schema(required = true)]
    pub building: Option<String>,
    #[schema(required = true)]
    pub location: Option<String>,
    #[schema(required = true)]
    pub group: Option<GroupRef>,
    #[schema(required = true)]
    pub last_reading_at: Option<Time>,
    #[schema(required = true)]
    pub last_mail_at: Option<Time>,
    /// Null for a device never heard from.
    #[schema(required = true)]
    pub reporting: Option<Reporting>,
    #[schema(required = true)]
    pub last_report_at: Option<Time>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceList {
    pub devices: Vec<DeviceSummary>,
}

/// An open condition.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub code: String,
    /// `service_call`, `error` or `warning`.
    pub severity: String,
    #[schema(required = true)]
    pub message: Option<String>,
    pub since: Time,
}

/// A supply of the device's latest report.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Supply {
    pub name: String,
    pub kind: String,
    #[schema(required = true)]
    pub color: Option<String>,
    #[schema(required = true)]
    pub level_percent: Option<i64>,
    /// `ok`, `low`, `empty`, `some_remaining` or `unknown`.
    pub state: String,
    /// The day it is expected to run out (B1); null without enough data.
    #[schema(required = true)]
    pub expected_empty: Option<String>,
}

/// A device with its open conditions and supplies.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceDetail {
    pub id: i64,
    pub serial: String,
    pub name: String,
    pub product: String,
    pub device_type: DeviceType,
    pub protocol: Protocol,
    pub status: Status,
    #[schema(required = true)]
    pub mac: Option<String>,
    #[schema(required = true)]
    pub host: Option<String>,
    #[schema(required = true)]
    pub building: Option<String>,
    #[schema(required = true)]
    pub location: Option<String>,
    #[schema(required = true)]
    pub remote_ui_url: Option<String>,
    #[schema(required = true)]
    pub lfp_unit: Option<LfpUnit>,
    #[schema(required = true)]
    pub group: Option<GroupRef>,
    #[schema(required = true)]
    pub toner_admin: Option<TonerAdmin>,
    #[schema(required = true)]
    pub last_reading_at: Option<Time>,
    #[schema(required = true)]
    pub last_mail_at: Option<Time>,
    #[schema(required = true)]
    pub last_report_at: Option<Time>,
    #[schema(required = true)]
    pub late_after_hours: Option<i64>,
    #[schema(required = true)]
    pub reporting: Option<Reporting>,
    pub conditions: Vec<Condition>,
    pub supplies: Vec<Supply>,
}

/// A period's counters: every key of the class (or of `keys=`) to its value, null for "-".
/// Whole numbers for sheet counters; up to 3 decimals for LFP units.
#[derive(Serialize, ToSchema)]
pub struct CounterCells(pub BTreeMap<String, Option<f64>>);

/// A period's counters, or null when there is no reading in it.
#[derive(Serialize, ToSchema)]
pub struct PeriodCounters(pub Option<CounterCells>);

/// The counters answer (SPEC §7). Written by hand row by row for speed (the answer for
/// 10,000 devices is streamed, never held whole), so this type is its schema, not its
/// writer.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountersAnswer {
    /// `month` or `day`.
    pub unit: String,
    /// `usage` or `cumulative`.
    pub kind: String,
    /// `mfp` or `lfp`.
    pub class: String,
    pub from: String,
    pub to: String,
    /// The tenant's zone: periods are its days or months.
    pub timezone: String,
    /// The period labels, `YYYY-MM` or `YYYY-MM-DD`, in order.
    pub periods: Vec<String>,
    /// Whether totals add a counter's first reading (its lifetime value): `include` or
    /// `exclude`, as asked with `oldest=` (default `include`).
    pub oldest: OldestInTotals,
    /// The counters answered, in order: those of `keys=`, else every key of the class.
    pub keys: Vec<String>,
    pub devices: Vec<CounterDevice>,
    /// The Total row (S13); null for kind cumulative.
    #[schema(required = true)]
    pub total: Option<CounterTotals>,
}

/// One device's row.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterDevice {
    pub id: i64,
    pub serial: String,
    pub name: String,
    #[schema(required = true)]
    pub location: Option<String>,
    #[schema(required = true)]
    pub group: Option<GroupRef>,
    /// LFP answers only: the device's unit.
    pub lfp_unit: Option<LfpUnit>,
    /// Each period label to its counters, or null when the device has no reading there.
    pub periods: BTreeMap<String, PeriodCounters>,
    /// The periods whose usage is the device's first value (C5: the oldest period within
    /// the retention, or a counter first reported there).
    pub oldest: Vec<String>,
    /// The sum over the periods; null for kind cumulative or a device without data.
    #[schema(required = true)]
    pub total: Option<CounterCells>,
    /// Whether `total` adds an oldest period's value (see `oldest` and `oldest=`).
    pub includes_oldest: bool,
    /// Periods the device's readings cover only in part: the label to the first and last
    /// day with data (an empty object when none).
    pub incomplete: BTreeMap<String, DayRange>,
    /// Counter resets (C6) within the range: when, and which counters went down.
    pub resets: Vec<CounterReset>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OldestInTotals {
    Include,
    Exclude,
}

/// Days from `from` to `to`, both included.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayRange {
    /// `YYYY-MM-DD`.
    pub from: String,
    /// `YYYY-MM-DD`.
    pub to: String,
}

/// A reset of some counters in one period.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterReset {
    /// The period label.
    pub period: String,
    /// The day of the reset, `YYYY-MM-DD`.
    pub date: String,
    /// The counters that went down.
    pub keys: Vec<String>,
}

/// The Total row: per period, and over all periods.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterTotals {
    pub periods: BTreeMap<String, PeriodCounters>,
    pub total: CounterCells,
    /// Whether the totals add oldest-period values.
    pub includes_oldest: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_and_every_reference_names_a_schema() {
        let doc: serde_json::Value = serde_json::from_str(document_json()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let text = document_json();
        for part in text.split("\"$ref\": \"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(
                schemas.contains_key(name),
                "{name} is referenced but not defined"
            );
        }
        if let Ok(path) = std::env::var("METERPORT_OPENAPI_OUT") {
            std::fs::write(path, text).unwrap();
        }
    }
}
