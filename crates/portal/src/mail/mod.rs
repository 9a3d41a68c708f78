//! Outgoing mail: the configuration, the [`Mailer`] handle that requests use, and the sender
//! task that delivers the outbox.
//!
//! A request never talks to the mail server. It stores its mail in the outbox (in the same
//! transaction as what the mail announces, see `Store::create_email_link`) and wakes the
//! sender with [`Mailer::wake`]; the answer goes back at once. The sender, one task per
//! portal instance, claims due mails with a lease (so instances sharing a database never send
//! one mail twice at a time), delivers them and marks them sent; a failure is retried with
//! exponential backoff ([`retry_at`]) until [`MailConfig::give_up_after`], and a mail the
//! server refuses for good (a 5xx reply, an address it cannot take) is given up at once.
//! Between wake-ups it looks for due mail every [`MailConfig::poll_every`].
//!
//! Two transports:
//! - **SMTP** (`METERPORT_SMTP_URL`, see [`MailConfig::smtp`]), through lettre over rustls.
//! - **Log mode** (no URL): each mail's text is written to the log instead of being sent.
//!   This is how the demo shows its links (a reset link, a confirmation link) without a mail
//!   server; the recipient appears by domain only.
//!
//! What the mails say is in [`messages`].

pub mod messages;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use meterport_store::outbox::{NewMail, OutboxMail};
use meterport_store::{Store, StoreError};
use tokio::sync::Notify;

use crate::clock::Clock;

/// A mail configuration that cannot work; said at startup rather than at the first mail.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("not a valid URL: {0}")]
    BadUrl(String),
    #[error(
        "must start with smtp:// (plain, or STARTTLS with ?tls=required) or smtps:// (TLS from \
         the start)"
    )]
    BadScheme,
    #[error("the SMTP URL has no host")]
    NoHost,
    #[error("tls={0:?} is not known; use tls=required or tls=opportunistic")]
    BadTls(String),
    #[error(
        "the SMTP URL carries a password: use smtps:// or smtp://...?tls=required so that it \
         never crosses the network in clear"
    )]
    PasswordInClear,
    #[error("not a mail address such as \"Portal <noreply@example.com>\": {0}")]
    BadFrom(String),
    #[error("a sender (--mail-from, METERPORT_MAIL_FROM) is required with an SMTP URL")]
    NoFrom,
}

/// Where mail goes and how hard the sender tries.
#[derive(Clone)]
pub struct MailConfig {
    /// The SMTP server's URL (normalised), or `None` for log mode. May hold a password:
    /// never logged (see the `Debug` implementation).
    smtp_url: Option<String>,
    /// The `From:` of every mail.
    pub from: Mailbox,
    /// The wait after a first failed attempt; it doubles with each further failure.
    pub retry_initial: Duration,
    /// The longest wait between two attempts.
    pub retry_max: Duration,
    /// A mail not delivered this long after it was queued is given up.
    pub give_up_after: Duration,
    /// How often the sender looks for due mail when nobody wakes it.
    pub poll_every: Duration,
    /// How long a claimed mail is reserved for one sender (longer than an SMTP exchange).
    pub lease: Duration,
    /// The longest wait for one SMTP command.
    pub smtp_timeout: Duration,
}

/// Says which transport, never the URL (it may hold a password).
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = if self.smtp_url.is_some() {
            "smtp"
        } else {
            "log"
        };
        write!(
            f,
            "MailConfig {{ transport: {transport}, from: {}, retry_initial: {:?}, .. }}",
            self.from, self.retry_initial
        )
    }
}

/// The sender of log mode, and the default when no From is configured.
const DEFAULT_FROM: &str = "Customer Portal <noreply@localhost>";

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig::log()
    }
}

impl MailConfig {
    /// Log mode: mails are written to the log, not sent.
    pub fn log() -> MailConfig {
        MailConfig {
            smtp_url: None,
            from: DEFAULT_FROM.parse().expect("a valid default sender"),
            retry_initial: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(2 * 86_400),
            poll_every: Duration::from_secs(5),
            lease: Duration::from_secs(120),
            smtp_timeout: Duration::from_secs(30),
        }
    }

    /// Sending through an SMTP server:
    /// - `smtp://host:port`: plain SMTP, for a local relay and for tests;
    /// - `smtp://user:password@host:587`: STARTTLS, required (a password never goes in clear);
    ///   `?tls=required` asks for it without a password too;
    /// - `smtps://user:password@host:465`: TLS from the first byte.
    ///
    /// User and password are percent-encoded in the URL (`@` is `%40`).
    pub fn smtp(url: &str, from: &str) -> Result<MailConfig, MailConfigError> {
        let url = normalize_smtp_url(url)?;
        // lettre reads the same URL; a refusal here is a configuration error at startup.
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| MailConfigError::BadUrl(e.to_string()))?;
        Ok(MailConfig {
            smtp_url: Some(url),
            from: parse_from(from)?,
            ..MailConfig::log()
        })
    }

    /// The configuration of `METERPORT_SMTP_URL` and `METERPORT_MAIL_FROM`: log mode without
    /// a URL (a From is then optional).
    pub fn from_settings(
        smtp_url: Option<&str>,
        from: Option<&str>,
    ) -> Result<MailConfig, MailConfigError> {
        let smtp_url = smtp_url.map(str::trim).filter(|u| !u.is_empty());
        let from = from.map(str::trim).filter(|f| !f.is_empty());
        match (smtp_url, from) {
            (Some(url), Some(from)) => MailConfig::smtp(url, from),
            (Some(_), None) => Err(MailConfigError::NoFrom),
            (None, Some(from)) => Ok(MailConfig {
                from: parse_from(from)?,
                ..MailConfig::log()
            }),
            (None, None) => Ok(MailConfig::log()),
        }
    }

    /// Log mode (no SMTP server)?
    pub fn is_log(&self) -> bool {
        self.smtp_url.is_none()
    }

    /// The same configuration with another first retry delay (tests shorten it).
    pub fn with_retry_initial(mut self, delay: Duration) -> MailConfig {
        self.retry_initial = delay;
        self
    }

    /// The same configuration with another polling interval (tests shorten it).
    pub fn with_poll_every(mut self, every: Duration) -> MailConfig {
        self.poll_every = every;
        self
    }
}

/// Checks an SMTP URL as [`MailConfig::smtp`] will read it (for the `--smtp-url` flag).
/// Empty is unset, as an empty environment variable has always been.
pub fn check_smtp_url(url: &str) -> Result<String, MailConfigError> {
    if url.trim().is_empty() {
        return Ok(String::new());
    }
    let normalized = normalize_smtp_url(url)?;
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&normalized)
        .map_err(|e| MailConfigError::BadUrl(e.to_string()))?;
    Ok(url.trim().to_string())
}

/// Checks a sender address (for the `--mail-from` flag). Empty is unset.
pub fn check_from(from: &str) -> Result<String, MailConfigError> {
    if from.trim().is_empty() {
        return Ok(String::new());
    }
    parse_from(from.trim()).map(|_| from.trim().to_string())
}

fn parse_from(from: &str) -> Result<Mailbox, MailConfigError> {
    from.parse::<Mailbox>()
        .map_err(|e| MailConfigError::BadFrom(e.to_string()))
}

/// Checks an SMTP URL and makes STARTTLS required when it carries credentials.
fn normalize_smtp_url(raw: &str) -> Result<String, MailConfigError> {
    let mut url =
        url::Url::parse(raw.trim()).map_err(|e| MailConfigError::BadUrl(e.to_string()))?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(MailConfigError::BadScheme);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(MailConfigError::NoHost);
    }
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    if let Some(tls) = &tls
        && !matches!(tls.as_str(), "required" | "opportunistic")
    {
        return Err(MailConfigError::BadTls(tls.clone()));
    }
    let has_credentials = !url.username().is_empty() || url.password().is_some();
    if url.scheme() == "smtp" && has_credentials {
        match tls.as_deref() {
            None => {
                url.query_pairs_mut().append_pair("tls", "required");
            }
            Some("required") => {}
            // Opportunistic TLS falls back to clear text when the server offers none.
            Some(_) => return Err(MailConfigError::PasswordInClear),
        }
    }
    Ok(url.to_string())
}

/// When to try a mail again after its `attempts`-th attempt failed at `now`: the first
/// retry after `initial`, each further one after twice the wait before, at most `max`;
/// `None` once the mail has waited `give_up` since it was queued.
pub fn retry_at(
    attempts: i64,
    created_at: i64,
    now: i64,
    initial: Duration,
    max: Duration,
    give_up: Duration,
) -> Option<i64> {
    let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    if now.saturating_sub(created_at) >= ms(give_up) {
        return None;
    }
    let doublings = u32::try_from((attempts - 1).clamp(0, 40)).unwrap_or(40);
    let delay = ms(initial)
        .saturating_mul(2_i64.saturating_pow(doublings))
        .min(ms(max));
    Some(now.saturating_add(delay))
}

/// The handle through which requests send mail. Cheap to clone; the sender task lives as
/// long as a clone does.
#[derive(Clone, Debug)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<MailConfig>,
    store: Store,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    /// The sender task, once started.
    task: OnceLock<tokio::task::AbortHandle>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let started = self.task.get().is_some();
        write!(
            f,
            "Mailer {{ config: {:?}, started: {started} }}",
            self.config
        )
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = self.task.get() {
            task.abort();
        }
    }
}

impl Mailer {
    /// A mailer over the outbox of `store`. The sender task starts with [`Mailer::start`] or
    /// with the first mail, not here: a state built in steps (`AppState::new(..)
    /// .with_mail(..)`) must not have a log-mode sender take mail meant for the SMTP one.
    pub fn new(config: MailConfig, store: Store, clock: Arc<dyn Clock>) -> Mailer {
        Mailer {
            inner: Arc::new(Inner {
                config: Arc::new(config),
                store,
                clock,
                wake: Arc::new(Notify::new()),
                task: OnceLock::new(),
            }),
        }
    }

    pub fn config(&self) -> &MailConfig {
        &self.inner.config
    }

    /// Starts the sender task (once; later calls do nothing). Needs a tokio runtime. `serve`
    /// calls it, so that mail left in the outbox by a previous run goes out.
    pub fn start(&self) {
        let inner = &self.inner;
        inner.task.get_or_init(|| {
            let sender = Sender {
                config: inner.config.clone(),
                store: inner.store.clone(),
                clock: inner.clock.clone(),
                wake: inner.wake.clone(),
            };
            tokio::spawn(sender.run()).abort_handle()
        });
    }

    /// Tells the sender that mail is waiting (after a request stored some).
    pub fn wake(&self) {
        self.start();
        // A permit is kept when the sender is busy, so a wake-up is never lost.
        self.inner.wake.notify_one();
    }

    /// Queues one mail and wakes the sender.
    pub async fn enqueue(&self, mail: &NewMail) -> Result<i64, StoreError> {
        let now = self.inner.clock.now_ms();
        let id = self
            .inner
            .store
            .enqueue_mail(&mail.to, &mail.subject, &mail.text, &mail.html, now)
            .await?;
        self.wake();
        Ok(id)
    }
}

/// Why one attempt failed.
#[derive(Debug)]
enum Failure {
    /// Will not work later either (the server refused with a 5xx, a bad address).
    Permanent(String),
    /// May work later (server down, timeout, 4xx).
    Transient(String),
}

enum Transport {
    Log,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

struct Sender {
    config: Arc<MailConfig>,
    store: Store,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
}

/// How often old sent mail and expired links are deleted, and how long they are kept.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
const KEEP_SENT_MS: i64 = 30 * 86_400_000;
const KEEP_EXPIRED_LINKS_MS: i64 = 7 * 86_400_000;

impl Sender {
    async fn run(self) {
        let transport = match &self.config.smtp_url {
            None => Transport::Log,
            Some(url) => match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
                Ok(b) => Transport::Smtp(b.timeout(Some(self.config.smtp_timeout)).build()),
                Err(e) => {
                    // Checked when the configuration was made; this cannot happen.
                    tracing::error!(error = %e, "the SMTP transport could not be built; no mail is sent");
                    return;
                }
            },
        };
        let mut last_purge: Option<tokio::time::Instant> = None;
        loop {
            self.deliver_due(&transport).await;
            if last_purge.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
                self.purge().await;
                last_purge = Some(tokio::time::Instant::now());
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.poll_every) => {}
            }
        }
    }

    /// Sends every mail that is due now, one after the other.
    async fn deliver_due(&self, transport: &Transport) {
        let lease_ms = i64::try_from(self.config.lease.as_millis()).unwrap_or(i64::MAX);
        loop {
            let now = self.clock.now_ms();
            let mail = match self.store.claim_due_mail(now, lease_ms).await {
                Ok(Some(mail)) => mail,
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(error = %e, "could not read the mail outbox");
                    return;
                }
            };
            let result = self.deliver(transport, &mail).await;
            let now = self.clock.now_ms();
            let recorded = match result {
                Ok(()) => self.store.mark_mail_sent(mail.id, now).await,
                Err(failure) => {
                    let (error, retry) = match failure {
                        Failure::Permanent(e) => (e, None),
                        Failure::Transient(e) => {
                            let c = &self.config;
                            let retry = retry_at(
                                mail.attempts,
                                mail.created_at,
                                now,
                                c.retry_initial,
                                c.retry_max,
                                c.give_up_after,
                            );
                            (e, retry)
                        }
                    };
                    match retry {
                        Some(at) => tracing::warn!(
                            mail.id = mail.id, attempts = mail.attempts, retry_in_ms = at - now,
                            error = %error, "mail not delivered; will retry"
                        ),
                        None => tracing::error!(
                            mail.id = mail.id, attempts = mail.attempts, error = %error,
                            "mail not delivered; given up"
                        ),
                    }
                    self.store.mark_mail_failed(mail.id, &error, retry).await
                }
            };
            if let Err(e) = recorded {
                // The lease runs out and the mail is tried again: sent twice at worst.
                tracing::error!(error = %e, mail.id = mail.id, "could not record a delivery");
                return;
            }
        }
    }

    async fn deliver(&self, transport: &Transport, mail: &OutboxMail) -> Result<(), Failure> {
        match transport {
            Transport::Log => {
                // Log mode is the demo's mail: the whole text is logged, so that its links can
                // be followed from the console. The recipient is logged by domain only.
                tracing::info!(
                    to.domain = domain_of(&mail.to),
                    subject = %mail.subject,
                    "mail (log mode: no METERPORT_SMTP_URL, not sent):\n{}",
                    mail.text
                );
                Ok(())
            }
            Transport::Smtp(smtp) => {
                let message = self.message(mail)?;
                match smtp.send(message).await {
                    Ok(_) => {
                        tracing::info!(
                            mail.id = mail.id,
                            to.domain = domain_of(&mail.to),
                            "mail sent"
                        );
                        Ok(())
                    }
                    Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
                    Err(e) => Err(Failure::Transient(e.to_string())),
                }
            }
        }
    }

    /// The MIME message: text and HTML alternatives, UTF-8.
    fn message(&self, mail: &OutboxMail) -> Result<Message, Failure> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| Failure::Permanent(format!("recipient address refused: {e}")))?;
        Message::builder()
            .from(self.config.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| Failure::Permanent(format!("message could not be built: {e}")))
    }

    async fn purge(&self) {
        let now = self.clock.now_ms();
        if let Err(e) = self.store.purge_outbox(now - KEEP_SENT_MS).await {
            tracing::warn!(error = %e, "could not purge old mail");
        }
        if let Err(e) = self
            .store
            .purge_email_links_all_tenants(now - KEEP_EXPIRED_LINKS_MS)
            .await
        {
            tracing::warn!(error = %e, "could not purge expired links");
        }
    }
}

/// The domain of an address: what logs and the audit log may say about it.
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn retries_double_from_the_first_delay_up_to_an_hour_and_stop_after_two_days() {
        let (initial, max, give_up) = (30 * S, 3600 * S, 2 * 86_400 * S);
        let wait =
            |attempts, now| retry_at(attempts, 0, now, initial, max, give_up).map(|t| t - now);
        assert_eq!(wait(1, 1000), Some(30_000));
        assert_eq!(wait(2, 1000), Some(60_000));
        assert_eq!(wait(3, 1000), Some(120_000));
        assert_eq!(wait(8, 1000), Some(3_600_000), "30 s x 2^7 is over an hour");
        assert_eq!(
            wait(500, 1000),
            Some(3_600_000),
            "no overflow after many attempts"
        );
        assert_eq!(wait(3, 2 * 86_400_000 - 1), Some(120_000));
        assert_eq!(
            wait(3, 2 * 86_400_000),
            None,
            "two days after queueing: given up"
        );
    }

    #[test]
    fn a_password_in_the_smtp_url_makes_tls_required() {
        assert_eq!(
            normalize_smtp_url("smtp://user:pa%40ss@mail.example.com:587").unwrap(),
            "smtp://user:pa%40ss@mail.example.com:587?tls=required"
        );
        assert_eq!(
            normalize_smtp_url("smtp://127.0.0.1:2525").unwrap(),
            "smtp://127.0.0.1:2525",
            "a local relay without credentials stays plain"
        );
        assert!(normalize_smtp_url("smtps://u:p@mail.example.com").is_ok());
        assert!(matches!(
            normalize_smtp_url("smtp://u:p@mail.example.com?tls=opportunistic"),
            Err(MailConfigError::PasswordInClear)
        ));
        assert!(matches!(
            normalize_smtp_url("http://mail.example.com"),
            Err(MailConfigError::BadScheme)
        ));
        assert!(matches!(
            normalize_smtp_url("smtp://mail.example.com?tls=none"),
            Err(MailConfigError::BadTls(_))
        ));
    }

    #[test]
    fn the_settings_choose_log_mode_without_a_url_and_need_a_sender_with_one() {
        let log = MailConfig::from_settings(None, None).unwrap();
        assert!(log.is_log());
        let smtp = MailConfig::from_settings(
            Some("smtp://127.0.0.1:2525"),
            Some("Portal <portal@example.com>"),
        )
        .unwrap();
        assert!(!smtp.is_log());
        assert_eq!(smtp.from.email.to_string(), "portal@example.com");
        assert!(matches!(
            MailConfig::from_settings(Some("smtp://127.0.0.1:2525"), None),
            Err(MailConfigError::NoFrom)
        ));
        assert!(matches!(
            MailConfig::from_settings(None, Some("not an address")),
            Err(MailConfigError::BadFrom(_))
        ));
    }

    #[test]
    fn the_configuration_never_shows_the_smtp_password() {
        let c = MailConfig::smtp("smtps://user:hunter2@mail.example.com", "a@example.com").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn only_the_domain_of_an_address_is_kept() {
        assert_eq!(domain_of("yamada@example.co.jp"), "example.co.jp");
        assert_eq!(domain_of("nonsense"), "");
    }
}
