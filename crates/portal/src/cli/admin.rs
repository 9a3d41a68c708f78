//! `meterport admin ...`: operator commands against the database (SPEC O1).
//!
//! Each command calls the same use case as the operator API (`service`), so a rule
//! holds at both front doors or at neither. Output is one record per line: tab-separated
//! fields in the order each command's help names, or with `--json` one JSON object per line
//! in the operator API's shapes. Refusals go to standard error with every broken rule and a
//! non-zero exit status.
//!
//! Passwords: `--password-stdin` (the first line of standard input) is the safe way; the
//! `METERPORT_USER_PASSWORD` environment variable works too. `--password` exists for
//! throw-away set-ups only: other users of the machine can read it in the process list, and
//! it stays in the shell history.

use meterport_domain::ids::{DeviceId, GroupId, TenantId, UserId};
use std::io::BufRead;

use clap::{Args, Subcommand, ValueEnum};
use meterport_domain::device::DeviceInput;
use meterport_store::devices::Page;
use serde_json::Value;

use crate::service::Services;
use crate::service::groups::{create_group, delete_groups, update_group};
use crate::service::operator::{self as op, UserInput};
use crate::shapes;

#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The configuration file of `serve`: its `database` is used unless `--database` or
    /// `METERPORT_DATABASE_URL` says otherwise.
    #[arg(long, env = "METERPORT_CONFIG", global = true)]
    pub config: Option<std::path::PathBuf>,
    /// `sqlite:PATH` or `postgres://...`.
    #[arg(
        long,
        env = "METERPORT_DATABASE_URL",
        default_value = "sqlite:meterport-demo.db",
        global = true
    )]
    pub database: String,
    /// Print one JSON object per line, in the operator API's shapes.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Customer companies. Columns: id, name, time zone, retention months (or keep-all).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Customer users. Columns: id, user name, e-mail, language, state.
    #[command(subcommand)]
    User(UserCommand),
    /// Devices. Columns: id, serial, name, type, protocol, location, group, status.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Device groups. Columns: id, name, number of devices.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Ingest and read tokens. Columns: id, kind, user, issued at, revoked at (or active).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Serials that tried to report without being registered, the latest first
    /// (at most 1,000 are kept per tenant; older ones are dropped and counted).
    /// Columns: serial, first seen, last seen, attempts.
    UnknownSerials {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        /// The page to show, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=1_000_000))]
        page: i64,
        /// Serials per page.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i64).range(1..=1000))]
        per_page: i64,
    },
    /// The operator's announcements (お知らせ) on every customer's welcome screen.
    /// Columns: id, shown from, shown until (or -), Japanese text, English text.
    #[command(subcommand)]
    Announcement(AnnouncementCommand),
    /// Meter mails the SMTP listener refused, newest first (at most 200 are kept per
    /// tenant). Columns: id, received at, tenant, sender, client address, size, reason.
    /// With --show ID: that mail's reason, then the message as received.
    MailRejects {
        /// Only this tenant's mails.
        #[arg(long)]
        tenant: Option<i64>,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=1000))]
        limit: i64,
        /// Print this refused mail whole (the first 256 KiB of it as received).
        #[arg(long, conflicts_with_all = ["tenant", "limit"])]
        show: Option<i64>,
    },
    /// Webhooks: URLs that receive a signed JSON POST for every condition opened or closed
    /// and every device that stops or resumes reporting. Columns: id, URL, created at,
    /// revoked at (or active).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Copy a SQLite database to a new file while the portal runs (SQLite's VACUUM INTO:
    /// one consistent snapshot, compacted, in one file). PostgreSQL: use pg_dump.
    Backup {
        /// The new file; an existing file is never overwritten.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// The audit log, newest first. Columns: time, tenant (or -), actor, action, detail.
    Audit {
        /// Only this tenant's entries.
        #[arg(long)]
        tenant: Option<i64>,
        /// Only entries at or after this time (RFC 3339, e.g. 2024-04-01T00:00:00+09:00).
        #[arg(long)]
        since: Option<jiff::Timestamp>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Register a receiver (https, or http to this machine). Prints its signing secret
    /// this once: receivers check `X-Meterport-Signature: sha256=<HMAC-SHA256 of the body>`.
    Create {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        #[arg(long)]
        url: String,
    },
    List {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
    },
    /// Stop sending to a receiver.
    Revoke {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Register a customer company.
    Create {
        #[arg(long)]
        name: String,
        /// IANA time zone of the company's periods (default Asia/Tokyo). Fixed once set.
        #[arg(long)]
        timezone: Option<String>,
        /// Months of readings to keep, 1 to 600 (default 39).
        #[arg(long, conflicts_with = "keep_all_readings")]
        retention_months: Option<i64>,
        /// Keep every reading, however old.
        #[arg(long)]
        keep_all_readings: bool,
    },
    List,
    /// How a tenant's notifications are timed; what is not given stays. Prints the tenant
    /// and its settings.
    SetNotifications {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        /// Conditions that close within this many minutes are not mailed (default 5).
        #[arg(long)]
        holddown_minutes: Option<i64>,
        /// The hour (0-23, the tenant's zone) of the daily toner and ink digest (default 9).
        #[arg(long)]
        toner_digest_hour: Option<i64>,
        /// A device silent this many hours is "not reporting" (default 48).
        #[arg(long)]
        late_after_hours: Option<i64>,
    },
}

/// Where a password comes from. Standard input is the safe way.
#[derive(Debug, Args)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input (recommended).
    #[arg(long)]
    password_stdin: bool,
    /// The password itself. Visible in the process list and the shell history: prefer
    /// --password-stdin.
    #[arg(long, env = "METERPORT_USER_PASSWORD", hide_env_values = true)]
    password: Option<String>,
}

impl PasswordSource {
    fn read(self) -> anyhow::Result<String> {
        if self.password_stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            // Only the line end is not part of the password: every other character is (S24).
            let line = line.strip_suffix('\n').unwrap_or(&line);
            let line = line.strip_suffix('\r').unwrap_or(line);
            return Ok(line.to_string());
        }
        self.password.ok_or_else(|| {
            anyhow::anyhow!(
                "give the password on standard input with --password-stdin \
                 (or in METERPORT_USER_PASSWORD)"
            )
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user of a tenant.
    Create {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        #[arg(long)]
        username: String,
        #[command(flatten)]
        password: PasswordSource,
        /// Notification e-mail address (taken as confirmed).
        #[arg(long)]
        email: Option<String>,
        /// Display language: ja (default) or en.
        #[arg(long)]
        language: Option<String>,
    },
    List {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
    },
    /// Delete a user; the user's read tokens are revoked.
    Delete {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
    },
    /// Set a new password that the user must change at the next login.
    ResetPassword {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Lift a lockout after failed logins.
    Unlock {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
    },
}

/// A device's fields, as the operator API takes them (`DeviceInput`).
#[derive(Debug, Args)]
pub struct DeviceFields {
    /// The tenant's id (`tenant list` shows it).
    #[arg(long)]
    tenant: i64,
    /// Unique across the portal.
    #[arg(long)]
    serial: String,
    #[arg(long)]
    name: String,
    #[arg(long)]
    product: String,
    /// mono_mfp, color_mfp, mono_lbp, color_lbp or lfp.
    #[arg(long)]
    device_type: String,
    /// http, smtp or snmp.
    #[arg(long)]
    protocol: String,
    #[arg(long)]
    mac: Option<String>,
    #[arg(long)]
    host: Option<String>,
    #[arg(long)]
    building: Option<String>,
    #[arg(long)]
    location: Option<String>,
    #[arg(long)]
    remote_ui_url: Option<String>,
    /// For an lfp only: a4, letter, m2 or sqft.
    #[arg(long)]
    lfp_unit: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Register a device.
    // Boxed: the fields of a device would make every other command as large.
    Create(Box<DeviceFields>),
    List {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
    },
    /// Delete a device with its readings.
    Delete {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
    },
    /// When the device counts as "not reporting": after its own number of hours without a
    /// report (for a device known to report weekly, say), or after the tenant's (see
    /// `tenant set-notifications`). Prints the device.
    SetReporting {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
        /// Hours without a report, 1 to 8760.
        #[arg(long, required_unless_present = "tenant_default")]
        late_after_hours: Option<i64>,
        /// Use the tenant's threshold again.
        #[arg(long, conflicts_with = "late_after_hours")]
        tenant_default: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group of devices that are in no group.
    Create {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        #[arg(long)]
        name: String,
        /// A device id; repeat it or separate ids with commas.
        #[arg(long = "device", value_delimiter = ',')]
        devices: Vec<i64>,
    },
    List {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
    },
    Rename {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
        #[arg(long)]
        name: String,
    },
    /// Make exactly these devices the group's members; the others go to no group.
    SetMembers {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
        /// A device id; repeat it or separate ids with commas.
        #[arg(
            long = "device",
            value_delimiter = ',',
            required_unless_present = "none"
        )]
        devices: Vec<i64>,
        /// Leave the group empty.
        #[arg(long, conflicts_with = "devices")]
        none: bool,
    },
    /// Delete groups; their devices go to no group.
    Delete {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AnnouncementCommand {
    /// Post an announcement in Japanese and English, shown from a time until another.
    Create {
        /// The Japanese text (line breaks allowed).
        #[arg(long)]
        text_ja: String,
        /// The English text (line breaks allowed).
        #[arg(long)]
        text_en: String,
        /// Shown from this time (RFC 3339, e.g. 2024-04-01T09:00:00+09:00; default now).
        #[arg(long)]
        shown_from: Option<String>,
        /// Shown until this time (RFC 3339); without it, until deleted.
        #[arg(long)]
        shown_until: Option<String>,
    },
    /// Every announcement, newest first, shown now or not.
    List,
    /// Delete an announcement: it disappears from the welcome screens at once.
    Delete { id: i64 },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TokenKindArg {
    /// For devices and collectors to submit readings and status.
    Ingest,
    /// For the read API, with the rights of one user (--username).
    Read,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token; it is printed this once and cannot be shown again.
    Create {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        #[arg(long, value_enum)]
        kind: TokenKindArg,
        /// The user a read token acts as.
        #[arg(long, required_if_eq("kind", "read"))]
        username: Option<String>,
    },
    List {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
    },
    /// Revoke a token at once.
    Revoke {
        /// The tenant's id (`tenant list` shows it).
        #[arg(long)]
        tenant: i64,
        id: i64,
    },
}

/// The audit log's actor for this command: the operating-system user who ran it.
fn actor() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("USERNAME")) {
        Ok(user) if !user.is_empty() => format!("operator-cli:{user}"),
        _ => "operator-cli".to_string(),
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Prints records: tab-separated or JSON lines.
struct Out {
    json: bool,
}

impl Out {
    fn record(&self, json: Value, fields: &[String]) {
        if self.json {
            println!("{json}");
        } else {
            println!("{}", fields.join("\t"));
        }
    }
}

/// An optional text as a column: `-` when absent.
fn opt(s: Option<&str>) -> String {
    s.unwrap_or("-").to_string()
}

/// A time as a column: RFC 3339 in UTC, `-` when absent.
fn time(ms: Option<i64>) -> String {
    crate::shapes::iso_text(ms).unwrap_or_else(|| "-".to_string())
}

fn print_tenant(out: &Out, t: &meterport_store::tenants::Tenant) {
    let retention = t
        .retention_months
        .map_or_else(|| "keep-all".to_string(), |n| n.to_string());
    out.record(
        shapes::tenant_json(t),
        &[
            t.id.to_string(),
            t.name.clone(),
            t.timezone.clone(),
            retention,
        ],
    );
}

fn print_user(out: &Out, u: &meterport_store::users::User) {
    let mut state = Vec::new();
    if u.must_change_password {
        state.push("must-change-password".to_string());
    }
    if let Some(until) = u.locked_until {
        state.push(format!("locked-until={}", time(Some(until))));
    }
    if state.is_empty() {
        state.push("ok".to_string());
    }
    out.record(
        shapes::user_json(u),
        &[
            u.id.to_string(),
            u.username.clone(),
            opt(u.email.as_deref()),
            u.language.clone(),
            state.join(","),
        ],
    );
}

fn print_device(out: &Out, d: &meterport_store::devices::Device) {
    out.record(
        shapes::device_json(d),
        &[
            d.id.to_string(),
            d.serial.clone(),
            d.name.clone(),
            d.device_type.as_str().to_string(),
            d.protocol.as_str().to_string(),
            opt(d.location.as_deref()),
            opt(d.group.as_ref().map(|(_, name)| name.as_str())),
            d.status.as_str().to_string(),
        ],
    );
}

fn print_group(out: &Out, g: &meterport_store::groups::Group) {
    out.record(
        shapes::group_json(g),
        &[g.id.to_string(), g.name.clone(), g.device_count.to_string()],
    );
}

pub async fn run(args: AdminArgs) -> anyhow::Result<()> {
    // Where `admin` opens the database: from here on only the use cases reach it.
    let services = Services::new(meterport_store::Store::open(&args.database).await?);
    let out = Out { json: args.json };
    let result = dispatch(&services, &out, args.command).await;
    services.close().await;
    result
}

async fn dispatch(svc: &Services, out: &Out, command: AdminCommand) -> anyhow::Result<()> {
    let actor = actor();
    let actor = actor.as_str();
    match command {
        AdminCommand::Tenant(TenantCommand::Create {
            name,
            timezone,
            retention_months,
            keep_all_readings,
        }) => {
            let retention = if keep_all_readings {
                Some(None)
            } else {
                retention_months.map(Some)
            };
            let tenant =
                op::create_tenant(svc, actor, &name, timezone.as_deref(), retention, now()).await?;
            print_tenant(out, &tenant);
        }
        AdminCommand::Tenant(TenantCommand::SetNotifications {
            tenant,
            holddown_minutes,
            toner_digest_hour,
            late_after_hours,
        }) => {
            let t = op::set_notify_settings(
                svc,
                actor,
                TenantId(tenant),
                holddown_minutes,
                toner_digest_hour,
                late_after_hours,
                now(),
            )
            .await?;
            print_tenant(out, &t);
            eprintln!(
                "notifications: hold-down {} min, toner digest at {}:00, not reporting after {} h",
                t.notify.holddown_minutes, t.notify.toner_digest_hour, t.notify.late_after_hours
            );
        }
        AdminCommand::Tenant(TenantCommand::List) => {
            for t in op::list_tenants(svc).await? {
                print_tenant(out, &t);
            }
        }
        AdminCommand::User(command) => user(svc, out, actor, command).await?,
        AdminCommand::Device(command) => device(svc, out, actor, command).await?,
        AdminCommand::Group(command) => group(svc, out, actor, command).await?,
        AdminCommand::Token(command) => token(svc, out, actor, command).await?,
        AdminCommand::Announcement(command) => announcement(svc, out, actor, command).await?,
        AdminCommand::UnknownSerials {
            tenant,
            page,
            per_page,
        } => {
            let tenant = op::require_tenant(svc, TenantId(tenant)).await?;
            let page = Page::new(page, per_page).expect("clap checked the ranges");
            let list = op::unknown_serials(svc, TenantId(tenant.id), page).await?;
            for s in &list.serials {
                out.record(
                    shapes::unknown_serial_json(s),
                    &[
                        s.serial.clone(),
                        time(Some(s.first_seen)),
                        time(Some(s.last_seen)),
                        s.attempts.to_string(),
                    ],
                );
            }
            if list.dropped > 0 || list.total > page.page * page.per_page {
                eprintln!(
                    "{} serials listed in all (page {} of {}); {} older ones dropped",
                    list.total,
                    page.page,
                    (list.total + page.per_page - 1) / page.per_page,
                    list.dropped
                );
            }
        }
        AdminCommand::MailRejects { show: Some(id), .. } => {
            let (r, message) = crate::service::meter_mail::reject(svc, id).await?;
            if out.json {
                let mut json = shapes::mail_reject_json(&r);
                json["message"] = String::from_utf8_lossy(&message).into_owned().into();
                println!("{json:#}");
            } else {
                println!("Refused-At: {}", time(Some(r.received_at)));
                println!("Tenant: {}", r.tenant_id);
                println!("Sender: <{}> from {}", r.sender, r.client);
                println!("Reason: {}", r.reason);
                if r.truncated {
                    println!(
                        "Kept: the first {} of {} bytes",
                        message.len(),
                        r.message_bytes
                    );
                }
                println!();
                use std::io::Write;
                std::io::stdout().write_all(&message)?;
            }
        }
        AdminCommand::MailRejects {
            tenant,
            limit,
            show: None,
        } => {
            for r in crate::service::meter_mail::rejects(svc, tenant, limit).await? {
                out.record(
                    shapes::mail_reject_json(&r),
                    &[
                        r.id.to_string(),
                        time(Some(r.received_at)),
                        r.tenant_id.to_string(),
                        r.sender.clone(),
                        r.client.clone(),
                        r.message_bytes.to_string(),
                        r.reason.clone(),
                    ],
                );
            }
        }
        AdminCommand::Webhook(command) => webhook(svc, out, actor, command).await?,
        AdminCommand::Backup { to } => {
            let bytes = crate::service::backup::backup(svc, &to).await?;
            println!("{}\t{bytes}", to.display());
        }
        AdminCommand::Audit {
            tenant,
            since,
            limit,
        } => {
            let since = since.map(|t| t.as_millisecond());
            for e in crate::service::audit::list(svc, tenant, since, limit).await? {
                out.record(
                    shapes::audit_json(&e),
                    &[
                        time(Some(e.at)),
                        e.tenant_id
                            .map_or_else(|| "-".to_string(), |t| t.to_string()),
                        e.actor.clone(),
                        e.action.clone(),
                        e.detail.clone(),
                    ],
                );
            }
        }
    }
    Ok(())
}

async fn webhook(
    svc: &Services,
    out: &Out,
    actor: &str,
    command: WebhookCommand,
) -> anyhow::Result<()> {
    use crate::service::webhooks;
    let print = |w: &meterport_store::webhooks::Webhook| {
        out.record(
            serde_json::json!({"id": w.id, "tenant_id": w.tenant_id, "url": w.url,
                               "created_at": shapes::iso(Some(w.created_at)),
                               "revoked_at": shapes::iso(w.revoked_at)}),
            &[
                w.id.to_string(),
                w.url.clone(),
                time(Some(w.created_at)),
                w.revoked_at
                    .map_or_else(|| "active".to_string(), |t| time(Some(t))),
            ],
        );
    };
    match command {
        WebhookCommand::Create { tenant, url } => {
            let (hook, secret) =
                webhooks::register(svc, actor, TenantId(tenant), &url, now()).await?;
            print(&hook);
            println!("secret: {secret}");
            eprintln!("the secret is shown this once: give it to the receiver now");
        }
        WebhookCommand::List { tenant } => {
            for w in webhooks::list(svc, TenantId(tenant)).await? {
                print(&w);
            }
        }
        WebhookCommand::Revoke { tenant, id } => {
            webhooks::revoke(svc, actor, TenantId(tenant), id, now()).await?;
            eprintln!("revoked webhook {id}");
        }
    }
    Ok(())
}

async fn user(svc: &Services, out: &Out, actor: &str, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            tenant,
            username,
            password,
            email,
            language,
        } => {
            let input = UserInput {
                username: Some(username),
                password: Some(password.read()?),
                email,
                language,
            };
            let user = op::create_user(svc, actor, TenantId(tenant), input, now()).await?;
            print_user(out, &user);
        }
        UserCommand::List { tenant } => {
            let tenant = op::require_tenant(svc, TenantId(tenant)).await?;
            for u in op::list_users(svc, TenantId(tenant.id)).await? {
                print_user(out, &u);
            }
        }
        UserCommand::Delete { tenant, id } => {
            let user = op::delete_user(svc, actor, TenantId(tenant), UserId(id), now()).await?;
            eprintln!("deleted user {} ({})", user.id, user.username);
        }
        UserCommand::ResetPassword {
            tenant,
            id,
            password,
        } => {
            let password = password.read()?;
            let user =
                op::reset_password(svc, actor, TenantId(tenant), UserId(id), &password, now())
                    .await?;
            print_user(out, &user);
        }
        UserCommand::Unlock { tenant, id } => {
            let user = op::unlock_user(svc, actor, TenantId(tenant), UserId(id), now()).await?;
            print_user(out, &user);
        }
    }
    Ok(())
}

async fn device(
    svc: &Services,
    out: &Out,
    actor: &str,
    command: DeviceCommand,
) -> anyhow::Result<()> {
    match command {
        DeviceCommand::Create(fields) => {
            let DeviceFields {
                tenant,
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
            } = *fields;
            let input = DeviceInput {
                serial: Some(serial),
                name: Some(name),
                product: Some(product),
                device_type: Some(device_type),
                protocol: Some(protocol),
                mac,
                host,
                building,
                location,
                remote_ui_url,
                lfp_unit,
            };
            let device = op::create_device(svc, actor, TenantId(tenant), input, now()).await?;
            print_device(out, &device);
        }
        DeviceCommand::List { tenant } => {
            let tenant = op::require_tenant(svc, TenantId(tenant)).await?;
            for d in op::list_devices(svc, TenantId(tenant.id)).await? {
                print_device(out, &d);
            }
        }
        DeviceCommand::Delete { tenant, id } => {
            op::delete_device(svc, actor, TenantId(tenant), DeviceId(id), now()).await?;
            eprintln!("deleted device {id}");
        }
        DeviceCommand::SetReporting {
            tenant,
            id,
            late_after_hours,
            tenant_default: _,
        } => {
            let device = op::set_device_late_after_hours(
                svc,
                actor,
                TenantId(tenant),
                DeviceId(id),
                late_after_hours,
                now(),
            )
            .await?;
            print_device(out, &device);
            match device.late_after_hours {
                Some(h) => eprintln!("device {id}: not reporting after {h} h without a report"),
                None => eprintln!("device {id}: not reporting after the tenant's threshold"),
            }
        }
    }
    Ok(())
}

async fn group(
    svc: &Services,
    out: &Out,
    actor: &str,
    command: GroupCommand,
) -> anyhow::Result<()> {
    match command {
        GroupCommand::Create {
            tenant,
            name,
            devices,
        } => {
            let group = create_group(svc, actor, TenantId(tenant), &name, &devices, now()).await?;
            print_group(out, &group);
        }
        GroupCommand::List { tenant } => {
            let tenant = op::require_tenant(svc, TenantId(tenant)).await?;
            for g in crate::service::groups::list_groups(svc, TenantId(tenant.id)).await? {
                print_group(out, &g);
            }
        }
        GroupCommand::Rename { tenant, id, name } => {
            let group = update_group(
                svc,
                actor,
                TenantId(tenant),
                GroupId(id),
                Some(&name),
                None,
                now(),
            )
            .await?;
            print_group(out, &group);
        }
        GroupCommand::SetMembers {
            tenant,
            id,
            devices,
            none: _,
        } => {
            // `--none` only says on purpose that the list is empty; clap makes sure that
            // either it or a device is given.
            let group = update_group(
                svc,
                actor,
                TenantId(tenant),
                GroupId(id),
                None,
                Some(&devices),
                now(),
            )
            .await?;
            print_group(out, &group);
        }
        GroupCommand::Delete { tenant, ids } => {
            for g in delete_groups(svc, actor, TenantId(tenant), &ids, now()).await? {
                eprintln!("deleted group {} ({})", g.id, g.name);
            }
        }
    }
    Ok(())
}

fn print_announcement(out: &Out, a: &meterport_store::announcements::Announcement) {
    // One record a line: line breaks inside a text are written as `\n`.
    let one_line = |s: &str| s.replace('\r', "").replace('\n', "\\n");
    out.record(
        shapes::announcement_json(a),
        &[
            a.id.to_string(),
            time(Some(a.shown_from)),
            time(a.shown_until),
            one_line(&a.text_ja),
            one_line(&a.text_en),
        ],
    );
}

async fn announcement(
    svc: &Services,
    out: &Out,
    actor: &str,
    command: AnnouncementCommand,
) -> anyhow::Result<()> {
    use crate::service::announcements as ann;
    match command {
        AnnouncementCommand::Create {
            text_ja,
            text_en,
            shown_from,
            shown_until,
        } => {
            let now = now();
            let shown_from = shown_from.or_else(|| {
                jiff::Timestamp::from_millisecond(now)
                    .ok()
                    .map(|t| t.to_string())
            });
            let input = ann::AnnouncementInput {
                text_ja: Some(text_ja),
                text_en: Some(text_en),
                shown_from,
                shown_until,
            };
            let a = ann::create_announcement(svc, actor, input, now).await?;
            print_announcement(out, &a);
        }
        AnnouncementCommand::List => {
            for a in ann::list_announcements(svc).await? {
                print_announcement(out, &a);
            }
        }
        AnnouncementCommand::Delete { id } => {
            ann::delete_announcement(svc, actor, id, now()).await?;
            eprintln!("deleted announcement {id}");
        }
    }
    Ok(())
}

async fn token(
    svc: &Services,
    out: &Out,
    actor: &str,
    command: TokenCommand,
) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            tenant,
            kind,
            username,
        } => {
            let issued = match kind {
                TokenKindArg::Ingest => {
                    op::issue_ingest_token(svc, actor, TenantId(tenant), now()).await?
                }
                TokenKindArg::Read => {
                    let username = username.unwrap_or_default();
                    op::issue_read_token(svc, actor, TenantId(tenant), &username, now()).await?
                }
            };
            out.record(
                shapes::issued_token_json(&issued),
                &[issued.id.to_string(), issued.token.clone()],
            );
            eprintln!("keep this token now: it is stored only as a hash and cannot be shown again");
        }
        TokenCommand::List { tenant } => {
            let tenant = op::require_tenant(svc, TenantId(tenant)).await?;
            for t in op::list_tokens(svc, TenantId(tenant.id)).await? {
                out.record(
                    shapes::token_json(&t),
                    &[
                        t.id.to_string(),
                        t.kind.clone(),
                        opt(t.username.as_deref()),
                        time(Some(t.created_at)),
                        t.revoked_at
                            .map_or_else(|| "active".to_string(), |r| time(Some(r))),
                    ],
                );
            }
        }
        TokenCommand::Revoke { tenant, id } => {
            op::revoke_token(svc, actor, TenantId(tenant), id, now()).await?;
            eprintln!("revoked token {id}");
        }
    }
    Ok(())
}
