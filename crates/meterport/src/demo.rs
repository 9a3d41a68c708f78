//! The demo tenant (SPEC O2): a living portal with one command.
//!
//! [`ensure_demo`] creates "Demo Printing Co." once: sixty devices of every type in five
//! buildings, two years of readings up to today with the gaps and resets a real fleet has,
//! device groups, active conditions of every severity, supply levels, and two users (one of
//! them the toner administrator of four devices). It is deterministic: the data come from a
//! seeded simulator ([`meterport_sim`], shared with the benchmark), so every machine shows
//! the same fleet, only anchored to the day it runs so that the last two years are always
//! covered.
//!
//! Data are not written behind the portal's back: readings go through the ingest service
//! ([`ingest_readings`]) in batches of 10,000, in time order, as a collector catching up would
//! send them, and status reports through [`ingest_status`]. The demo therefore also proves
//! that its data pass the API's validation, and the roll-ups are built by the same code as
//! in production.

use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::{Context, bail};
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use meterport_domain::device::{DeviceType, LfpUnit, NewDevice, Protocol};
use meterport_domain::period::day_of_ms;
use meterport_domain::policy::check_group_name;
use meterport_store::Store;
use meterport_store::tenants::{DEFAULT_RETENTION_MONTHS, Tenant};
use meterport_store::tokens::TokenKind;
use meterport_store::users::hash_password;
use serde_json::{Value, json};

use meterport_portal::service::Services;
use meterport_portal::service::ingest::{
    IngestError, IngestWriter, ingest_readings, ingest_status,
};
use meterport_sim::{Mix, Profile, Rng, SimDay, SimDevice, share};

/// A status report to send: serial, time, conditions, supplies (if the device reports them).
type StatusReport<'a> = (&'a str, i64, Vec<Value>, Option<Vec<Value>>);

/// The demo tenant's name: how a second run recognises it.
pub const TENANT_NAME: &str = "Demo Printing Co.";
pub const TIMEZONE: &str = "Asia/Tokyo";
pub const USER: &str = "demo";
/// Passes the password policy of S24 (a lower-case letter and a digit, 6+ characters).
pub const PASSWORD: &str = "demo1234";
pub const USER_EMAIL: &str = "demo@example.com";
/// The second user: the toner administrator of a few devices (S11).
pub const TONER_ADMIN: &str = "tanaka";
pub const TONER_ADMIN_PASSWORD: &str = "tanaka1234";

/// Readings per ingest request: the size a collector that was offline for a while sends.
const BATCH: usize = 10_000;

// ---- The fleet ----------------------------------------------------------------------------

/// What happens to a device in the demo's story, beyond reporting every day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Normal,
    /// Registered but never reported: its status is unknown (S9).
    Silent,
    /// Switched off for two weeks: no readings and no pages (a gap, S20).
    OffTwoWeeks,
    /// Main board replaced this many months ago: its counters restart near zero (C6).
    Reset(i64),
}

#[derive(Debug)]
struct Spec {
    /// The serial's suffix; the serial is `DEMO-<code>`, unlikely to clash with a real one
    /// in the portal-wide serial space (T2).
    code: &'static str,
    name: &'static str,
    device_type: DeviceType,
    product: &'static str,
    building: &'static str,
    location: &'static str,
    group: Option<&'static str>,
    protocol: Protocol,
    /// Pages on an ordinary weekday (LFPs: units of the device's unit).
    volume: u64,
    lfp_unit: Option<LfpUnit>,
    role: Role,
}

use DeviceType::{ColorLbp as CL, ColorMfp as CM, Lfp as LF, MonoLbp as ML, MonoMfp as MM};
use Protocol::{Http, Smtp, Snmp};

const HQ: &str = "本社ビル";
const OSAKA: &str = "大阪支店";
const NAGOYA: &str = "名古屋営業所";
const WAREHOUSE: &str = "川崎物流倉庫";
const STUDIO: &str = "Design Studio 渋谷";

/// The demo's groups (S22); devices whose `group` is `None` are in no group.
pub const GROUPS: [&str; 4] = ["本社", "支店", "倉庫", "Design"];

/// A device of the fleet table: one line per device reads better than a struct literal.
#[allow(clippy::too_many_arguments)]
const fn dev(
    code: &'static str,
    name: &'static str,
    device_type: DeviceType,
    product: &'static str,
    building: &'static str,
    location: &'static str,
    group: Option<&'static str>,
    protocol: Protocol,
    volume: u64,
) -> Spec {
    Spec {
        code,
        name,
        device_type,
        product,
        building,
        location,
        group,
        protocol,
        volume,
        lfp_unit: None,
        role: Role::Normal,
    }
}

const fn with_role(mut s: Spec, role: Role) -> Spec {
    s.role = role;
    s
}

const fn lfp(mut s: Spec, unit: LfpUnit) -> Spec {
    s.lfp_unit = Some(unit);
    s
}

const HQG: Option<&str> = Some("本社");
const BRG: Option<&str> = Some("支店");
const WHG: Option<&str> = Some("倉庫");
const DSG: Option<&str> = Some("Design");

#[rustfmt::skip]
static FLEET: [Spec; 60] = [
    // Colour MFPs.
    dev("CM01", "本社 1F 受付 複合機", CM, "iR-ADV C3830", HQ, "1F 受付", None, Snmp, 180),
    dev("CM02", "本社 2F 複合機 A", CM, "iR-ADV C5840", HQ, "2F 総務部", HQG, Snmp, 900),
    dev("CM03", "本社 2F 複合機 B", CM, "iR-ADV C5840", HQ, "2F 経理部", HQG, Snmp, 750),
    dev("CM04", "本社 3F 複合機", CM, "iR-ADV C5850", HQ, "3F 営業部", HQG, Snmp, 1400),
    dev("CM05", "本社 3F 東 カラー複合機", CM, "iR-ADV DX C5860", HQ, "3F 東", HQG, Snmp, 1100),
    dev("CM06", "本社 4F 役員室 複合機", CM, "iR-ADV DX C3926", HQ, "4F 役員室", HQG, Http, 220),
    dev("CM07", "HQ 5F Marketing MFP", CM, "iR-ADV DX C5860", HQ, "5F Marketing", HQG, Snmp, 1300),
    dev("CM08", "本社 6F 開発部 複合機", CM, "iR-ADV C5840", HQ, "6F 開発部", HQG, Snmp, 600),
    with_role(dev("CM09", "大阪支店 営業 複合機", CM, "iR-ADV C5850", OSAKA, "2F 営業課", BRG, Snmp, 1000), Role::Reset(5)),
    dev("CM10", "大阪支店 総務 複合機", CM, "iR-ADV DX C3926", OSAKA, "3F 総務課", BRG, Snmp, 400),
    dev("CM11", "Osaka Showroom MFP", CM, "iR-ADV DX C5860", OSAKA, "1F Showroom", BRG, Http, 350),
    dev("CM12", "名古屋営業所 複合機", CM, "iR-ADV C3830", NAGOYA, "4F", BRG, Snmp, 500),
    dev("CM13", "Design Studio Colour MFP", CM, "iR-ADV DX C5860", STUDIO, "2F Studio", DSG, Snmp, 1200),
    dev("CM14", "Design Proof MFP", CM, "iR-ADV DX C5870", STUDIO, "3F Proof room", DSG, Snmp, 800),
    dev("CM15", "倉庫 事務所 複合機", CM, "iR C3226", WAREHOUSE, "事務所", WHG, Snmp, 300),
    dev("CM16", "Sales Small MFP 1", CM, "MF634Cdw", HQ, "3F 営業部 窓側", HQG, Smtp, 120),
    dev("CM17", "情報システム部 複合機", CM, "MF644Cdw", HQ, "2F 情報システム部", None, Http, 150),
    dev("CM18", "本社 7F 会議室 複合機", CM, "iR-ADV DX C3926", HQ, "7F 大会議室", HQG, Snmp, 260),
    with_role(dev("CM19", "新規設置 カラー複合機", CM, "iR-ADV DX C5860", HQ, "8F 新フロア", None, Snmp, 0), Role::Silent),
    dev("CM20", "Nagoya Sales MFP 2", CM, "iR-ADV DX C3926", NAGOYA, "4F 窓側", BRG, Snmp, 450),
    // Mono MFPs.
    dev("MM01", "本社 2F モノクロ複合機", MM, "iR-ADV DX 4835", HQ, "2F 総務部", HQG, Snmp, 1100),
    dev("MM02", "本社 3F 営業 モノクロ", MM, "iR-ADV 4745", HQ, "3F 営業部", HQG, Snmp, 1500),
    dev("MM03", "本社 B1 集中出力室", MM, "iR-ADV 6755", HQ, "B1 集中出力室", HQG, Snmp, 4000),
    dev("MM04", "経理部 伝票用 複合機", MM, "iR-ADV DX 4835", HQ, "2F 経理部", HQG, Snmp, 1300),
    dev("MM05", "大阪支店 モノクロ複合機", MM, "iR-ADV 4745", OSAKA, "2F 営業課", BRG, Snmp, 900),
    dev("MM06", "名古屋 モノクロ複合機", MM, "iR 2630", NAGOYA, "4F", BRG, Http, 500),
    dev("MM07", "倉庫 出荷 複合機", MM, "iR-ADV DX 4835", WAREHOUSE, "出荷場", WHG, Snmp, 2200),
    dev("MM08", "倉庫 入荷 複合機", MM, "iR 2630", WAREHOUSE, "入荷場", WHG, Snmp, 800),
    dev("MM09", "Warehouse Office MF", MM, "MF467dw", WAREHOUSE, "事務所", WHG, Smtp, 200),
    dev("MM10", "法務部 複合機", MM, "iR-ADV DX 4835", HQ, "4F 法務部", HQG, Snmp, 700),
    with_role(dev("MM11", "人事部 複合機", MM, "iR-ADV 4745", HQ, "4F 人事部", HQG, Snmp, 650), Role::Reset(14)),
    dev("MM12", "Archive Scanner MFP", MM, "iR-ADV 6755", HQ, "B1 書庫", None, Snmp, 300),
    // Colour LBPs.
    dev("CL01", "Sales LBP 1", CL, "LBP722Ci", HQ, "3F 営業部", HQG, Snmp, 350),
    dev("CL02", "Sales LBP 2", CL, "LBP722Ci", HQ, "3F 営業部", HQG, Snmp, 300),
    dev("CL03", "役員室 カラープリンター", CL, "LBP712Ci", HQ, "4F 役員室", HQG, Snmp, 90),
    dev("CL04", "Marketing Colour LBP", CL, "LBP852Ci", HQ, "5F Marketing", HQG, Snmp, 500),
    dev("CL05", "大阪 カラープリンター", CL, "LBP722Ci", OSAKA, "2F 営業課", BRG, Snmp, 280),
    dev("CL06", "Design Colour LBP", CL, "LBP852Ci", STUDIO, "2F Studio", DSG, Http, 450),
    dev("CL07", "Design Comp LBP", CL, "LBP712Ci", STUDIO, "3F Proof room", DSG, Snmp, 200),
    dev("CL08", "名古屋 カラープリンター", CL, "LBP662C", NAGOYA, "4F", BRG, Snmp, 120),
    dev("CL09", "受付 カラープリンター", CL, "LBP662C", HQ, "1F 受付", None, Snmp, 60),
    dev("CL10", "倉庫 ラベル用 カラーLBP", CL, "LBP722Ci", WAREHOUSE, "出荷場", WHG, Snmp, 600),
    // Mono LBPs.
    dev("ML01", "経理 LBP 1", ML, "LBP312i", HQ, "2F 経理部", HQG, Snmp, 400),
    dev("ML02", "経理 LBP 2", ML, "LBP312i", HQ, "2F 経理部", HQG, Snmp, 350),
    dev("ML03", "総務 LBP", ML, "LBP442", HQ, "2F 総務部", HQG, Snmp, 300),
    dev("ML04", "開発部 LBP A", ML, "LBP224", HQ, "6F 開発部", HQG, Snmp, 150),
    dev("ML05", "開発部 LBP B", ML, "LBP224", HQ, "6F 開発部", HQG, Snmp, 140),
    dev("ML06", "QA Lab LBP", ML, "LBP162", HQ, "6F QA Lab", HQG, Http, 80),
    dev("ML07", "大阪 経理 LBP", ML, "LBP312i", OSAKA, "3F 総務課", BRG, Snmp, 250),
    dev("ML08", "Osaka Sales LBP", ML, "LBP224", OSAKA, "2F 営業課", BRG, Snmp, 200),
    dev("ML09", "名古屋 LBP", ML, "LBP162", NAGOYA, "4F", BRG, Snmp, 100),
    dev("ML10", "倉庫 伝票 LBP 1", ML, "LBP442", WAREHOUSE, "出荷場", WHG, Snmp, 1200),
    with_role(dev("ML11", "倉庫 伝票 LBP 2", ML, "LBP442", WAREHOUSE, "出荷場", WHG, Snmp, 1000), Role::OffTwoWeeks),
    dev("ML12", "倉庫 事務所 LBP", ML, "LBP224", WAREHOUSE, "事務所", WHG, Snmp, 120),
    dev("ML13", "社長室 LBP", ML, "LBP162", HQ, "4F 社長室", None, Snmp, 40),
    with_role(dev("ML14", "予備機 LBP", ML, "LBP224", HQ, "B1 倉庫", None, Snmp, 0), Role::Silent),
    with_role(dev("ML15", "Helpdesk LBP", ML, "LBP312i", HQ, "2F 情報システム部", None, Snmp, 0), Role::Silent),
    // Large-format printers, one per unit of S16 that the demo shows; volumes in thousandths.
    lfp(dev("LF01", "Design LFP A0", LF, "imagePROGRAF TX-4100", STUDIO, "1F 出力室", DSG, Snmp, 9_500), LfpUnit::M2),
    lfp(dev("LF02", "設計部 大判プリンター", LF, "imagePROGRAF TM-300", HQ, "6F 設計部", HQG, Snmp, 60_000), LfpUnit::A4),
    lfp(dev("LF03", "Poster Printer (US)", LF, "imagePROGRAF GP-4000", STUDIO, "1F 出力室", DSG, Http, 110_000), LfpUnit::Sqft),
];

fn serial(spec: &Spec) -> String {
    format!("DEMO-{}", spec.code)
}

/// The toner administrator's devices (S11).
const TONER_ADMIN_DEVICES: [&str; 4] = ["CM02", "CM03", "MM01", "ML03"];

fn index_of(code: &str) -> usize {
    FLEET
        .iter()
        .position(|s| s.code == code)
        .expect("a code of the fleet")
}

/// The subnet of a building's devices, for plausible addresses.
fn subnet(building: &str) -> u8 {
    match building {
        HQ => 10,
        OSAKA => 20,
        NAGOYA => 30,
        WAREHOUSE => 40,
        _ => 50,
    }
}

fn new_device(index: usize, spec: &Spec) -> NewDevice {
    let octet = 20 + index as u8;
    let ip = format!("192.168.{}.{octet}", subnet(spec.building));
    // SMTP devices mail their reports from behind a NAT: the portal knows no address.
    let smtp = spec.protocol == Smtp;
    let host = match (smtp, index % 3) {
        (true, _) => None,
        (false, 0) => Some(format!(
            "{}.demo-printing.example",
            spec.code.to_ascii_lowercase()
        )),
        _ => Some(ip.clone()),
    };
    let remote_ui_url = (!smtp && index.is_multiple_of(2)).then(|| format!("http://{ip}:8000/"));
    // Canon's OUI, then bytes from the index.
    let mac = format!(
        "00:1E:8F:{:02X}:{:02X}:{:02X}",
        0x40 + (index / 16) as u8,
        (index * 37 % 256) as u8,
        (index * 101 % 256) as u8
    );
    NewDevice {
        serial: serial(spec),
        name: spec.name.into(),
        product: spec.product.into(),
        device_type: spec.device_type,
        protocol: spec.protocol,
        mac: Some(mac),
        host,
        building: Some(spec.building.into()),
        location: Some(spec.location.into()),
        remote_ui_url,
        lfp_unit: spec.lfp_unit,
    }
}

// ---- The story's dates --------------------------------------------------------------------

/// The dates of the demo's events, derived from the day it runs. Public so that tests (and a
/// curious newcomer) can find the gaps and resets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFacts {
    /// The first day with readings: the first of the month two years ago.
    pub first_day: Date,
    pub today: Date,
    /// A weekday on which the network was down: no device reported, pages were still printed.
    pub outage_day: Date,
    /// The device switched off for two weeks, and the first and last day it was off.
    pub off_serial: String,
    pub off_first: Date,
    pub off_last: Date,
    /// Devices whose counters were reset (main board replaced), with the day.
    pub resets: Vec<(String, Date)>,
    /// Devices that never reported (status unknown).
    pub silent_serials: Vec<String>,
    /// The two devices that report by e-mail.
    pub smtp_serials: Vec<String>,
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().days(n)).expect("date in range")
}

fn add_months(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().months(n)).expect("date in range")
}

/// Saturdays, Sundays and the year-end holidays (Dec 29 - Jan 3), when offices are closed.
fn is_holiday(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
        || (d.month() == 12 && d.day() >= 29)
        || (d.month() == 1 && d.day() <= 3)
}

/// The nearest working day on or before `d`.
fn working_day_before(mut d: Date) -> Date {
    while is_holiday(d) {
        d = add_days(d, -1);
    }
    d
}

/// The demo's dates for a run at `now_ms`.
pub fn facts(now_ms: i64) -> DemoFacts {
    let tz = TimeZone::get(TIMEZONE).expect("bundled zone");
    let today = day_of_ms(now_ms, &tz);
    let first_day = add_months(today.first_of_month(), -24);
    let outage_day = working_day_before(add_days(today, -100));
    // Off from a Monday for fourteen days, about seven months ago.
    let mut off_first = add_days(today, -200);
    while off_first.weekday() != Weekday::Monday {
        off_first = add_days(off_first, -1);
    }
    let off_last = add_days(off_first, 13);
    let serials_of = |pred: &dyn Fn(&Spec) -> bool| -> Vec<String> {
        FLEET.iter().filter(|s| pred(s)).map(serial).collect()
    };
    let resets = FLEET
        .iter()
        .filter_map(|s| match s.role {
            // The 12th of that month, so that the month has readings before and after.
            Role::Reset(months) => {
                let month = add_months(today.first_of_month(), -months);
                let mut day = add_days(month, 11);
                while is_holiday(day) {
                    day = add_days(day, 1);
                }
                Some((serial(s), day))
            }
            _ => None,
        })
        .collect();
    DemoFacts {
        first_day,
        today,
        outage_day,
        off_serial: serials_of(&|s| s.role == Role::OffTwoWeeks).remove(0),
        off_first,
        off_last,
        resets,
        silent_serials: serials_of(&|s| s.role == Role::Silent),
        smtp_serials: serials_of(&|s| s.protocol == Smtp),
    }
}

// ---- Entry point --------------------------------------------------------------------------

/// Creates the demo tenant on first run; returns what to tell the user.
///
/// A second run finds the tenant by name and changes nothing. A tenant left half-made by an
/// interrupted first run (the demo user is created last) is reported, not patched up: its
/// readings are anchored to the day of that run.
pub async fn ensure_demo(store: &Store, now_ms: i64) -> anyhow::Result<String> {
    if let Some(tenant) = store
        .list_tenants_all()
        .await?
        .into_iter()
        .find(|t| t.name == TENANT_NAME)
    {
        let complete = store
            .user_by_username_any_tenant(USER)
            .await?
            .is_some_and(|u| u.tenant_id == tenant.id);
        if !complete {
            bail!(
                "the demo tenant \"{TENANT_NAME}\" is incomplete (an earlier `demo` run was \
                 interrupted); start from a fresh database"
            );
        }
        tracing::info!(tenant.id = tenant.id, "demo tenant already present");
        return Ok(format!(
            "Demo tenant ready: user {USER} / password {PASSWORD} (tenant \"{TENANT_NAME}\"; \
             its read token was shown when it was created)"
        ));
    }
    // User names are unique across the portal: check before creating anything, so that a
    // clash does not leave a half-made tenant behind.
    for username in [USER, TONER_ADMIN] {
        if store.user_by_username_any_tenant(username).await?.is_some() {
            bail!("the user name {username:?} is taken by another tenant: cannot create the demo");
        }
    }
    let started = std::time::Instant::now();
    tracing::info!("creating the demo tenant");
    let tenant = store
        .create_tenant(
            TENANT_NAME,
            TIMEZONE,
            Some(DEFAULT_RETENTION_MONTHS),
            now_ms,
        )
        .await
        .context("creating the demo tenant")?;
    let facts = facts(now_ms);

    let mut device_ids = Vec::with_capacity(FLEET.len());
    for (i, spec) in FLEET.iter().enumerate() {
        let d = store
            .create_device(tenant.id, &new_device(i, spec), now_ms)
            .await
            .with_context(|| format!("creating demo device {}", serial(spec)))?;
        device_ids.push(d.id);
    }
    tracing::info!(devices = device_ids.len(), "demo devices created");
    let group_ids = create_groups(store, &tenant, &device_ids, now_ms).await?;

    let services = Services::new(store.clone());
    let readings = ingest_history(&services, &tenant, &facts, now_ms).await?;
    report_status(&services, &tenant, now_ms).await?;

    let ingest_token = store
        .issue_token(tenant.id, TokenKind::Ingest, None, now_ms)
        .await?
        .1;
    // The demo user last: its presence tells a later run that the demo is complete.
    let tanaka = create_user(
        store,
        &tenant,
        (TONER_ADMIN, TONER_ADMIN_PASSWORD, "tanaka@example.com"),
        ("田中", "花子"),
        now_ms,
    )
    .await?;
    for code in TONER_ADMIN_DEVICES {
        let i = index_of(code);
        let group = FLEET[i].group.map(|g| group_ids[g]);
        store
            .set_device_settings(tenant.id, device_ids[i], group, Some(tanaka))
            .await
            .with_context(|| format!("toner administrator of demo device {code}"))?;
    }
    let demo = create_user(
        store,
        &tenant,
        (USER, PASSWORD, USER_EMAIL),
        ("山田", "太郎"),
        now_ms,
    )
    .await?;
    let read_token = store
        .issue_token(tenant.id, TokenKind::Read, Some(demo), now_ms)
        .await?
        .1;
    tracing::info!(
        tenant.id = tenant.id,
        readings,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo tenant created"
    );
    let mut text =
        format!("Demo tenant ready: user {USER} / password {PASSWORD}; read token: {read_token}");
    write!(
        text,
        "\n(tenant \"{TENANT_NAME}\", {} devices, {readings} readings; ingest token: \
         {ingest_token}; the tokens are shown only now)",
        device_ids.len()
    )
    .ok();
    Ok(text)
}

/// Creates a user (name, password, e-mail) with a hashed password and a (last, first)
/// name; returns its id.
async fn create_user(
    store: &Store,
    tenant: &Tenant,
    (username, password, email): (&str, &'static str, &str),
    (last_name, first_name): (&str, &str),
    now_ms: i64,
) -> anyhow::Result<i64> {
    // Argon2 is slow on purpose: keep it off the async workers.
    let hash = tokio::task::spawn_blocking(move || hash_password(password)).await?;
    let user = store
        .create_user(tenant.id, username, &hash, Some(email), "ja", now_ms)
        .await
        .with_context(|| format!("creating demo user {username}"))?;
    store
        .update_profile(
            tenant.id, user.id, first_name, last_name, "ja", "ja-JP", None,
        )
        .await?;
    Ok(user.id)
}

/// The demo's groups; the devices whose spec names no group stay in none. Returns the
/// groups' ids by name.
async fn create_groups(
    store: &Store,
    tenant: &Tenant,
    device_ids: &[i64],
    now_ms: i64,
) -> anyhow::Result<HashMap<&'static str, i64>> {
    let mut ids = HashMap::new();
    for group in GROUPS {
        let name = check_group_name(group)
            .map_err(|e| anyhow::anyhow!("demo group name {group:?}: {e:?}"))?;
        let members: Vec<i64> = FLEET
            .iter()
            .zip(device_ids)
            .filter(|(s, _)| s.group == Some(name.as_str()))
            .map(|(_, id)| *id)
            .collect();
        let created = store
            .create_group(tenant.id, &name, &members, now_ms)
            .await
            .with_context(|| format!("creating demo group {name}"))?;
        ids.insert(group, created.id);
    }
    Ok(ids)
}

// ---- Readings -----------------------------------------------------------------------------

/// A device of the fleet in the simulator, with what its story does to it.
struct DemoDevice {
    spec: &'static Spec,
    serial: String,
    reset_day: Option<Date>,
    sim: SimDevice,
}

impl DemoDevice {
    fn new(index: usize, spec: &'static Spec, facts: &DemoFacts) -> DemoDevice {
        // One stream per device, so that a device's data do not depend on the others.
        let mut rng = Rng::new(0x5EED_0000 + index as u64);
        let colour = matches!(spec.device_type, CM | CL);
        let mfp = matches!(spec.device_type, CM | MM);
        let mix = Mix {
            colour: if colour { rng.range(150, 450) } else { 0 },
            copy: if mfp { rng.range(200, 450) } else { 0 },
            receive: if mfp { rng.range(0, 80) } else { 0 },
            large: rng.range(40, 200),
            duplex: rng.range(150, 550),
            scan: if mfp { rng.range(150, 700) } else { 0 },
            send: rng.range(400, 900),
        };
        let mut sim = match spec.device_type {
            CM => SimDevice::sheets(rng, mix, Profile::ColorMfp),
            MM => SimDevice::sheets(rng, mix, Profile::MonoMfp),
            CL => SimDevice::sheets(rng, mix, Profile::ColorLbp),
            ML => SimDevice::sheets(rng, mix, Profile::MonoLbp),
            LF => SimDevice::area(rng, spec.lfp_unit.expect("an LFP has a unit")),
        };
        let serial = serial(spec);
        let reset_day = facts
            .resets
            .iter()
            .find(|(s, _)| *s == serial)
            .map(|(_, d)| *d);
        // Devices were installed before the demo's window: their counters start well above
        // zero, as a real fleet's do (the oldest month then shows the C5 rule at work).
        let installed_days = sim.rng.range(200, 1500);
        sim.print(spec.volume * installed_days * 7 / 10);
        DemoDevice {
            spec,
            serial,
            reset_day,
            sim,
        }
    }
}

/// Busier in March (fiscal year end) and December, quieter in January and August (Obon).
const SEASON_PERMILLE: [u64; 12] = [
    850, 1000, 1250, 1100, 950, 1000, 1000, 750, 1050, 1000, 1000, 1100,
];

/// When a collector polls on a working day (seconds after midnight) and the share of the
/// day's pages printed since the previous poll (the first poll catches the evening's).
const WORKDAY_POLLS: [(u64, u64); 4] = [
    (9 * 3600, 80),
    (12 * 3600, 370),
    (15 * 3600, 300),
    (18 * 3600, 250),
];

/// Generates two years of readings and sends them through the ingest service. Returns the
/// number stored.
async fn ingest_history(
    services: &Services,
    tenant: &Tenant,
    facts: &DemoFacts,
    now_ms: i64,
) -> anyhow::Result<usize> {
    let tz = tenant.tz();
    let mut devices: Vec<DemoDevice> = FLEET
        .iter()
        .enumerate()
        .map(|(i, s)| DemoDevice::new(i, s, facts))
        .collect();
    let writer = IngestWriter::start(services);
    let mut pending: Vec<(i64, Vec<u8>)> = Vec::new();
    let mut stored = 0usize;
    let mut day = facts.first_day;
    while day <= facts.today {
        let sim_day = SimDay::new(day, &tz);
        let holiday = is_holiday(day);
        let season = SEASON_PERMILLE[day.month() as usize - 1];
        for dev in devices.iter_mut() {
            let spec = dev.spec;
            if spec.role == Role::Silent
                || (spec.role == Role::OffTwoWeeks
                    && (facts.off_first..=facts.off_last).contains(&day))
            {
                continue;
            }
            if dev.reset_day == Some(day) {
                // The board is replaced before office hours: the day's first reading already
                // shows the new counters.
                dev.sim.reset();
            }
            let noise = dev.sim.rng.range(700, 1300);
            let mut volume = spec.volume * season / 1000 * noise / 1000;
            if holiday {
                volume = volume * 8 / 100;
            }
            // Collectors poll four times on working days and once on holidays; an SMTP
            // device mails one report each morning.
            let single;
            let polls: &[(u64, u64)] = if spec.protocol == Smtp {
                single = [(7 * 3600 + 1800, 1000)];
                &single
            } else if holiday {
                single = [(12 * 3600, 1000)];
                &single
            } else {
                &WORKDAY_POLLS
            };
            for &(second, permille) in polls {
                let pages = share(volume, permille, &mut dev.sim.rng);
                dev.sim.print(pages);
                let second = second + dev.sim.rng.below(600);
                let read_at = sim_day.at_ms(second);
                if read_at > now_ms {
                    break;
                }
                if day == facts.outage_day {
                    // Printed, but the report never reached the portal.
                    continue;
                }
                let mut item = Vec::with_capacity(640);
                dev.sim.write_reading(&mut item, &dev.serial, |out| {
                    sim_day.write_time(out, second)
                });
                pending.push((read_at, item));
            }
        }
        if pending.len() >= BATCH || day == facts.today {
            // Time order across devices, as a collector replaying its queue sends them.
            pending.sort_by_key(|(t, _)| *t);
            while pending.len() >= BATCH || (day == facts.today && !pending.is_empty()) {
                let take = pending.len().min(BATCH);
                let batch: Vec<(i64, Vec<u8>)> = pending.drain(..take).collect();
                stored += send(services, &writer, tenant, &batch, now_ms).await?;
                tracing::info!(readings = stored, "demo readings stored");
            }
        }
        day = day.tomorrow().expect("date in range");
    }
    writer.shutdown().await;
    Ok(stored)
}

/// One ingest request: the JSON array of the items, through the real service.
async fn send(
    services: &Services,
    writer: &IngestWriter,
    tenant: &Tenant,
    items: &[(i64, Vec<u8>)],
    now_ms: i64,
) -> anyhow::Result<usize> {
    let mut body = Vec::with_capacity(items.iter().map(|(_, i)| i.len() + 1).sum::<usize>() + 2);
    body.push(b'[');
    for (i, (_, item)) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item);
    }
    body.push(b']');
    let body = String::from_utf8(body).expect("the generator writes UTF-8");
    match ingest_readings(services, writer, tenant, &body, now_ms).await {
        Ok(stored) => Ok(stored.accepted),
        Err(e) => Err(ingest_failure(e)),
    }
}

/// An ingest refusal as an error that names the first problems.
fn ingest_failure(e: IngestError) -> anyhow::Error {
    match e {
        IngestError::Malformed(e) => anyhow::anyhow!(
            "ingest refused the batch: {}",
            meterport_portal::i18n::body_error(meterport_portal::i18n::Lang::En, &e)
        ),
        IngestError::Invalid(items) => {
            let first: Vec<String> = items
                .iter()
                .take(5)
                .map(|i| {
                    let message = meterport_portal::i18n::item_message(i);
                    format!("item {} {}: {message}", i.index, i.field)
                })
                .collect();
            anyhow::anyhow!(
                "ingest refused {} item(s): {}",
                items.len(),
                first.join("; ")
            )
        }
        IngestError::Store(e) => anyhow::Error::new(e).context("ingest failed"),
    }
}

// ---- Status ------------------------------------------------------------------------------

/// A condition of a status report, as the ingest API takes it.
fn condition(code: &str, severity: &str, message: &str) -> Value {
    json!({"code": code, "severity": severity, "message": message})
}

/// Status reports (I6, B1) through the ingest service, as collectors send them: conditions
/// of every severity on a few devices (one with several at once, one jam that came and
/// went), and a last report from every device that can send status with its current
/// conditions and supply levels. SMTP devices send none (S9); the small LBP162s do not
/// report their supplies (S28).
async fn report_status(services: &Services, tenant: &Tenant, now_ms: i64) -> anyhow::Result<()> {
    const HOUR: i64 = 3600 * 1000;
    const DAY: i64 = 24 * HOUR;
    let waste = || {
        condition(
            "waste.toner.near_full",
            "warning",
            "廃トナーボックスの交換時期が近づいています",
        )
    };
    // (device, time, the full set of active conditions)
    let mut history: Vec<(&str, i64, Vec<Value>)> = vec![
        (
            "CM04",
            now_ms - 7 * DAY,
            vec![condition(
                "jam.tray1",
                "error",
                "トレイ1で紙づまりが発生しました",
            )],
        ),
        ("CM04", now_ms - 7 * DAY + 2 * HOUR, vec![]),
        (
            "CM04",
            now_ms - 2 * HOUR,
            vec![condition(
                "jam.tray2",
                "error",
                "トレイ2で紙づまりが発生しています",
            )],
        ),
        ("MM03", now_ms - 3 * DAY, vec![waste()]),
        (
            "MM03",
            now_ms - 26 * HOUR,
            vec![
                waste(),
                condition(
                    "E000007-0001",
                    "service_call",
                    "定着ユニットの異常です。サービスにご連絡ください",
                ),
            ],
        ),
        (
            "ML03",
            now_ms - 5 * HOUR,
            vec![condition(
                "E196-0000",
                "service_call",
                "Controller error: call for service",
            )],
        ),
        (
            "ML10",
            now_ms - 40 * 60 * 1000,
            vec![condition("cover.open", "error", "Front cover is open")],
        ),
        (
            "CM02",
            now_ms - 30 * HOUR,
            vec![condition(
                "toner.low.cyan",
                "warning",
                "シアントナーが少なくなっています",
            )],
        ),
        (
            "CM13",
            now_ms - 4 * DAY,
            vec![condition(
                "toner.low.magenta",
                "warning",
                "Magenta toner is low",
            )],
        ),
        (
            "LF01",
            now_ms - 9 * HOUR,
            vec![condition(
                "ink.low.MBK",
                "warning",
                "マットブラックインクが少なくなっています",
            )],
        ),
    ];
    // The last report of each device repeats its current conditions: a report carries the
    // full set, so one without them would close them.
    let mut reports: Vec<StatusReport> = Vec::new();
    for (i, spec) in FLEET.iter().enumerate() {
        if spec.role == Role::Silent || spec.protocol == Smtp {
            continue;
        }
        let current = history
            .iter()
            .rev()
            .find(|(code, _, _)| *code == spec.code)
            .map(|(_, _, c)| c.clone())
            .unwrap_or_default();
        reports.push((
            spec.code,
            now_ms - 10 * 60 * 1000,
            current,
            supplies(i, spec),
        ));
    }
    reports.extend(history.drain(..).map(|(code, at, c)| (code, at, c, None)));
    reports.sort_by_key(|(_, at, _, _)| *at);
    let body: Vec<Value> = reports
        .iter()
        .map(|(code, at, conditions, supplies)| {
            let at = Timestamp::from_millisecond(*at)
                .expect("in range")
                .to_string();
            let mut report = json!({
                "serial": serial(&FLEET[index_of(code)]),
                "at": at,
                "conditions": conditions,
            });
            if let Some(supplies) = supplies {
                report["supplies"] = json!(supplies);
            }
            report
        })
        .collect();
    let outcome = ingest_status(services, tenant, &Value::Array(body).to_string(), now_ms)
        .await
        .map_err(ingest_failure)?;
    anyhow::ensure!(
        outcome.applied == reports.len(),
        "{} of {} demo status reports applied",
        outcome.applied,
        reports.len()
    );
    Ok(())
}

/// A device's supplies with levels from its own generator, low where a condition says so.
fn supplies(index: usize, spec: &Spec) -> Option<Vec<Value>> {
    if spec.product == "LBP162" {
        return None;
    }
    let mut rng = Rng::new(0x5C_0000 + index as u64);
    let mut level = |color: &str| -> u64 {
        match (spec.code, color) {
            ("CM02", "cyan") => 6,
            ("CM13", "magenta") => 8,
            ("LF01", "matte_black") => 7,
            _ => rng.range(15, 100),
        }
    };
    let mut out = Vec::new();
    if spec.device_type == LF {
        for (color, name) in [
            ("matte_black", "MBK"),
            ("photo_black", "PBK"),
            ("cyan", "C"),
            ("magenta", "M"),
            ("yellow", "Y"),
        ] {
            // The API knows no "matte black": it is black ink, named as the device names it.
            let api_color = if color == "matte_black" {
                "black"
            } else {
                color
            };
            out.push(json!({"name": format!("PFI-1700 {name}"), "kind": "ink",
                            "color": api_color, "level_percent": level(color)}));
        }
        return Some(out);
    }
    let colours: &[&str] = if matches!(spec.device_type, CM | CL) {
        &["black", "cyan", "magenta", "yellow"]
    } else {
        &["black"]
    };
    for color in colours {
        out.push(
            json!({"name": format!("{color} toner"), "kind": "toner", "color": color,
                        "level_percent": level(color)}),
        );
    }
    // Some older models cannot tell their drum's level.
    let drum = if spec.product.starts_with("iR ") {
        Value::Null
    } else {
        json!(level("drum"))
    };
    out.push(json!({"name": "drum unit", "kind": "drum", "level_percent": drum}));
    Some(out)
}
