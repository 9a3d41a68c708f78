//! The portal's subcommands: `serve`, `admin ...` and `collect`. The `meterport` binary
//! (`crates/meterport`) parses the command line and calls them.

use std::process::ExitCode;
use std::sync::Arc;

use crate::app::{AppState, serve};
use crate::clock::SystemClock;
use crate::service::Services;

pub mod admin;
pub mod config;

#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    /// The collector's configuration file (TOML).
    #[arg(long)]
    pub config: std::path::PathBuf,
    /// Poll every target once, deliver, and exit.
    #[arg(long)]
    pub once: bool,
    /// Print what would be sent as JSON lines; send and spool nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The database `serve` and `demo` use when none is given: the demo's SQLite file.
pub const DEMO_DATABASE: &str = "sqlite:meterport-demo.db";

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// A configuration file (TOML): its keys are these flags' long names with `_` for `-`;
    /// flags and environment variables win over it (`meterport config check FILE`).
    #[arg(long, env = "METERPORT_CONFIG")]
    pub config: Option<std::path::PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "METERPORT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// `sqlite:PATH` or `postgres://...`.
    #[arg(long, env = "METERPORT_DATABASE_URL", default_value = DEMO_DATABASE,
          value_parser = database_url)]
    pub database: String,
    /// The bearer token of the operator API (`/api/v1/admin/...`); the API is off without it.
    #[arg(long, env = "METERPORT_OPERATOR_TOKEN", hide_env_values = true)]
    pub operator_token: Option<String>,
    /// The portal's address as users reach it, for links in mails; `https://` makes
    /// cookies Secure. Default: the listen address.
    #[arg(long, env = "METERPORT_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,
    /// Outgoing mail server: `smtp://host:port`, `smtp://user:password@host:587` (STARTTLS)
    /// or `smtps://...`, with --mail-from; without it mails go to the log.
    #[arg(long, env = "METERPORT_SMTP_URL", hide_env_values = true,
          value_parser = crate::mail::check_smtp_url)]
    pub smtp_url: Option<String>,
    /// The sender of outgoing mail, e.g. `Customer Portal <portal@example.com>`.
    #[arg(long, env = "METERPORT_MAIL_FROM", value_parser = crate::mail::check_from)]
    pub mail_from: Option<String>,
    /// A web session unused this many minutes ends.
    #[arg(long, env = "METERPORT_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub session_idle_minutes: u32,
    /// A web session ends this many hours after its login, however busy.
    #[arg(long, env = "METERPORT_SESSION_LIFETIME_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_lifetime_hours: u32,
    /// Take the client's address from `X-Forwarded-For` (the per-address login limit):
    /// only behind a reverse proxy that sets it.
    #[arg(long, env = "METERPORT_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Take meter mails over SMTP on this address (e.g. 0.0.0.0:25): devices mail their
    /// counters to <ingest token>@<this host>. Off when unset.
    #[arg(long, env = "METERPORT_SMTP_LISTEN")]
    pub smtp_listen: Option<String>,
    /// Certificate chain (PEM) for STARTTLS on the SMTP listener; with --smtp-tls-key.
    #[arg(long, env = "METERPORT_SMTP_TLS_CERT", requires = "smtp_tls_key")]
    pub smtp_tls_cert: Option<String>,
    /// Private key (PEM) for STARTTLS on the SMTP listener.
    #[arg(long, env = "METERPORT_SMTP_TLS_KEY", requires = "smtp_tls_cert")]
    pub smtp_tls_key: Option<String>,
    /// The largest meter mail taken, in megabytes (announced as SIZE).
    #[arg(long, env = "METERPORT_SMTP_MAX_MESSAGE_MB", default_value_t = 32,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub smtp_max_message_mb: u32,
    /// SMTP connections at once from one client address; more are answered 421.
    #[arg(long, env = "METERPORT_SMTP_CONNECTIONS_PER_CLIENT", default_value_t = 32,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub smtp_connections_per_client: u32,
    /// Also serve `/metrics` (Prometheus, operator token required) on this address, e.g.
    /// 127.0.0.1:9464, for scrapers kept off the public listener. It stays on the main
    /// address too.
    #[arg(long, env = "METERPORT_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
    /// How the log is written: `json` (one object per line, for a log collector) or `text`.
    /// Default: text when standard error is a terminal, JSON otherwise.
    #[arg(long, env = "METERPORT_LOG_FORMAT", value_enum)]
    pub log_format: Option<crate::telemetry::LogFormat>,
}

/// `--database`: the two kinds of URL [`meterport_store::Store::open`] takes.
fn database_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        Ok(url.to_string())
    } else {
        Err("must be sqlite:PATH or postgres://...".into())
    }
}

/// `--public-url`: an http or https address, without a trailing slash; empty is unset, as
/// an empty environment variable has always been.
fn public_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    if url.is_empty() {
        return Ok(String::new());
    }
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(url.to_string())
        }
        _ => Err("must be an address starting with http:// or https://".into()),
    }
}

impl ServeArgs {
    /// The SMTP listener's settings when `--smtp-listen` is given; the name it greets with
    /// is the public address's host.
    fn smtp_config(&self, public_url: &str) -> anyhow::Result<Option<crate::smtp::SmtpConfig>> {
        if self.smtp_listen.is_none() {
            return Ok(None);
        }
        let tls = match (&self.smtp_tls_cert, &self.smtp_tls_key) {
            (Some(cert), Some(key)) => Some(crate::smtp::load_tls(cert, key)?),
            _ => None,
        };
        let hostname = url::Url::parse(public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "meterport".into());
        Ok(Some(crate::smtp::SmtpConfig {
            hostname,
            max_message_bytes: self.smtp_max_message_mb as usize * 1024 * 1024,
            max_per_client: self.smtp_connections_per_client as usize,
            tls,
            ..crate::smtp::SmtpConfig::default()
        }))
    }

    /// Session timeouts and the public address, before `--public-url`.
    fn web_config(&self) -> crate::web::session::WebConfig {
        crate::web::session::WebConfig {
            idle_ms: i64::from(self.session_idle_minutes) * 60_000,
            absolute_ms: i64::from(self.session_lifetime_hours) * 3_600_000,
            // Without a public URL, links point at the address we listen on.
            public_url: format!("http://{}", self.listen.replace("0.0.0.0", "127.0.0.1")),
        }
    }
}

/// Logs to standard error, `RUST_LOG` or info, in `format` (`None`: JSON unless standard
/// error is a terminal).
pub fn init_tracing(format: Option<crate::telemetry::LogFormat>) {
    crate::telemetry::init_logs(format.unwrap_or_else(crate::telemetry::LogFormat::for_stderr));
}

/// `meterport collect`: the collector has exit codes of its own (3, 4, 5) for the site's
/// scripts.
pub async fn run_collect(args: CollectArgs) -> ExitCode {
    ExitCode::from(
        meterport_collector::run(meterport_collector::Options {
            config: args.config,
            once: args.once,
            dry_run: args.dry_run,
        })
        .await,
    )
}

/// `meterport serve`: opens the database and runs the portal until SIGTERM.
pub async fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    // Where `serve` opens the database: from here on only the use cases reach it.
    let services = Services::new(meterport_store::Store::open(&args.database).await?);
    serve_store(args, services, None).await
}

/// Runs the portal over the use cases of an open database; `banner` is printed after the
/// address (the demo's credentials).
pub async fn serve_store(
    args: ServeArgs,
    services: Services,
    banner: Option<String>,
) -> anyhow::Result<()> {
    let operator_token = args.operator_token.clone().filter(|t| !t.is_empty());
    // Mail (S4, S26): without an SMTP URL mails go to the log (the demo's mail); the links
    // in them point at the public URL, which also makes cookies Secure on https.
    let mail = crate::mail::MailConfig::from_settings(
        args.smtp_url.as_deref(),
        args.mail_from.as_deref(),
    )?;
    let mut web = args.web_config();
    if let Some(url) = args.public_url.clone().filter(|u| !u.is_empty()) {
        web.public_url = url;
    }
    if mail.is_log() {
        tracing::info!("no SMTP URL (--smtp-url): mails are written to the log, not sent");
    }
    let mut state = AppState::new(services, Arc::new(SystemClock), operator_token)
        .with_web(web)
        .with_mail(mail);
    state.trust_proxy = args.trust_proxy;
    // Mail left in the outbox by an earlier run goes out now, not with the next request.
    state.mail.start();
    // Status notifications (S23): a round every 15 seconds decides the conditions whose
    // hold-down has passed and queues their mails.
    tokio::spawn(crate::service::notify::run(
        state.services.clone(),
        state.clock.clone(),
        state.mail.clone(),
        state.web.public_url.clone(),
        std::time::Duration::from_secs(15),
    ));
    // Webhooks (B4): due deliveries are posted every second.
    tokio::spawn(crate::service::webhooks::run(
        state.services.clone(),
        state.clock.clone(),
        std::time::Duration::from_secs(1),
    ));
    // Readings past their tenant's retention (C7) go now and then hourly.
    tokio::spawn(crate::service::retention::run_purges(
        state.services.clone(),
        state.clock.clone(),
    ));
    let smtp_config = args.smtp_config(&state.web.public_url)?;
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    let addr = listener.local_addr()?;
    let smtp = match (&args.smtp_listen, smtp_config) {
        (Some(at), Some(config)) => {
            let smtp = tokio::net::TcpListener::bind(at).await?;
            let tls = if config.tls.is_some() {
                " (STARTTLS)"
            } else {
                ""
            };
            println!(
                "meterport takes meter mail on smtp://{}{tls}",
                smtp.local_addr()?
            );
            Some((smtp, config))
        }
        _ => None,
    };
    let metrics = match &args.metrics_listen {
        Some(at) => {
            let metrics = tokio::net::TcpListener::bind(at).await?;
            println!(
                "meterport serves metrics on http://{}/metrics",
                metrics.local_addr()?
            );
            Some(metrics)
        }
        None => None,
    };
    println!("meterport is listening on http://{addr}/");
    if let Some(banner) = banner {
        println!("{banner}");
    }
    serve(listener, state, smtp, metrics).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }

    fn serve_args(args: &[&str]) -> ServeArgs {
        let argv = ["serve"].into_iter().chain(args.iter().copied());
        Serve::try_parse_from(argv).expect("valid arguments").args
    }

    #[test]
    fn session_timeouts_default_to_thirty_minutes_idle_and_twelve_hours_in_all() {
        let web = serve_args(&[]).web_config();
        assert_eq!(web.idle_ms, 30 * 60_000);
        assert_eq!(web.absolute_ms, 12 * 3_600_000);
        assert!(!serve_args(&[]).trust_proxy);
    }

    #[test]
    fn the_log_format_and_the_metrics_address_are_flags() {
        use crate::telemetry::LogFormat;
        let args = serve_args(&["--log-format", "json", "--metrics-listen", "127.0.0.1:9464"]);
        assert_eq!(args.log_format, Some(LogFormat::Json));
        assert_eq!(args.metrics_listen.as_deref(), Some("127.0.0.1:9464"));
        assert_eq!(
            serve_args(&["--log-format", "text"]).log_format,
            Some(LogFormat::Text)
        );
        let defaults = serve_args(&[]);
        assert_eq!((defaults.log_format, defaults.metrics_listen), (None, None));
        let argv = ["serve", "--log-format", "xml"];
        assert!(Serve::try_parse_from(argv).is_err(), "xml is refused");
    }

    #[test]
    fn addresses_are_checked_and_an_empty_one_is_unset() {
        let args = serve_args(&["--public-url=https://portal.example.com/", "--smtp-url="]);
        assert_eq!(
            args.public_url.as_deref(),
            Some("https://portal.example.com")
        );
        assert_eq!(args.smtp_url.as_deref(), Some(""));
        assert_eq!(
            serve_args(&["--public-url="]).public_url.as_deref(),
            Some("")
        );
        for bad in [
            ["--public-url", "portal.example.com"],
            ["--smtp-url", "http://mail.example.com"],
            ["--mail-from", "not an address"],
            ["--database", "mysql://db"],
        ] {
            let argv = ["serve"].into_iter().chain(bad);
            assert!(Serve::try_parse_from(argv).is_err(), "{bad:?} is refused");
        }
    }

    #[test]
    fn session_timeouts_and_the_proxy_are_configurable_and_checked() {
        let args = serve_args(&[
            "--session-idle-minutes",
            "15",
            "--session-lifetime-hours",
            "8",
            "--trust-proxy",
        ]);
        let web = args.web_config();
        assert_eq!((web.idle_ms, web.absolute_ms), (15 * 60_000, 8 * 3_600_000));
        assert!(args.trust_proxy);
        for bad in [
            ["--session-idle-minutes", "0"],
            ["--session-lifetime-hours", "0"],
        ] {
            let argv = ["serve"].into_iter().chain(bad);
            assert!(Serve::try_parse_from(argv).is_err(), "{bad:?} is refused");
        }
    }
}
