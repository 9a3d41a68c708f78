//! The SMTP listener of meter mails (SPEC I2): a front door like the JSON API. Devices and
//! site tools mail their counter reports to `<ingest token>@<any domain>`; a session parses
//! the SMTP commands, and the message at the end of DATA goes to
//! `service::meter_mail::deliver`, whose outcome is the reply: 250 only after the readings
//! are committed, 554 with the reasons when nothing was stored, 451 when the database failed.
//!
//! Commands are parsed by `smtp-proto` (Stalwart's sans-I/O parser, which also undoes dot
//! stuffing); the session loop over tokio is ours, because no maintained crate offers an
//! async SMTP server whose reply to DATA can wait for a database commit and that bounds
//! connections per client address (mailin's handler is synchronous, announces no SIZE and
//! refuses ESMTP parameters; samotop is unmaintained).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use smtp_proto::request::receiver::{DataReceiver, RequestReceiver};
use smtp_proto::{Error as ProtoError, Request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_util::either::Either;

use crate::app::AppState;
use crate::i18n::{Lang, t, t_args};
use crate::service::meter_mail::{self, Outcome, Received};

/// How the listener behaves; [`SmtpConfig::default`] is what `serve` uses.
#[derive(Clone)]
pub struct SmtpConfig {
    /// The name in the greeting and the EHLO reply.
    pub hostname: String,
    /// The largest message taken (announced as SIZE).
    pub max_message_bytes: usize,
    /// Recipients per message.
    pub max_recipients: usize,
    /// Connections at once, from all clients.
    pub max_connections: usize,
    /// Connections at once from one client address.
    pub max_per_client: usize,
    /// Silence allowed between commands, and while a message is sent.
    pub idle_timeout: Duration,
    /// Refused commands a client may send before it is cut off.
    pub max_errors: usize,
    /// STARTTLS is offered when set.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for SmtpConfig {
    fn default() -> SmtpConfig {
        SmtpConfig {
            hostname: "meterport".into(),
            max_message_bytes: 32 * 1024 * 1024,
            max_recipients: 10,
            max_connections: 512,
            max_per_client: 32,
            // RFC 5321 4.5.3.2: a server should wait at least five minutes for a command.
            idle_timeout: Duration::from_secs(300),
            max_errors: 10,
            tls: None,
        }
    }
}

/// The certificate chain and private key of STARTTLS, from PEM files.
pub fn load_tls(cert: &str, key: &str) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| anyhow::anyhow!("{cert}: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("{cert}: {e}"))?;
    anyhow::ensure!(!certs.is_empty(), "{cert}: no certificate in the file");
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(certs, key)?;
    Ok(Arc::new(config))
}

/// Takes connections on `listener` until `shutdown` turns true, then answers the sessions
/// waiting for a command with 421, lets messages being sent finish, and returns when every
/// session has ended.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    config: SmtpConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let config = Arc::new(config);
    let mail_times = Arc::new(meter_mail::MailTimes::default());
    let (flusher_stop, flusher_stopping) = watch::channel(false);
    let flusher = tokio::spawn(
        mail_times
            .clone()
            .run(state.services.clone(), flusher_stopping),
    );
    let slots = Arc::new(Semaphore::new(config.max_connections));
    let per_client: Arc<Mutex<HashMap<IpAddr, usize>>> = Arc::default();
    let mut sessions = JoinSet::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then go on.
                    tracing::warn!(error = %e, "SMTP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopped(&mut shutdown) => break,
            Some(_) = sessions.join_next(), if !sessions.is_empty() => continue,
        };
        stream.set_nodelay(true).ok();
        let admission = Admission::new(&slots, &per_client, peer.ip(), &config);
        let state = state.clone();
        let config = config.clone();
        let shutdown = shutdown.clone();
        let mail_times = mail_times.clone();
        sessions.spawn(async move {
            match admission {
                Ok(_held) => {
                    let session = Session::new(&state, &config, &mail_times, peer);
                    if let Err(e) = session.run(stream, shutdown).await {
                        tracing::debug!(client = %peer, error = %e, "SMTP session ended");
                    }
                }
                Err(key) => refuse_connection(stream, &config, key).await,
            }
        });
    }
    drop(listener);
    while sessions.join_next().await.is_some() {}
    // The last mails' times are written before the portal stops.
    flusher_stop.send_replace(true);
    flusher.await.ok();
}

/// Returns when the server is told to stop (at once if it already was).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`: dropped here, never held across an await.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// A connection's place among the limits, released when the session ends.
struct Admission {
    _slot: tokio::sync::OwnedSemaphorePermit,
    per_client: Arc<Mutex<HashMap<IpAddr, usize>>>,
    client: IpAddr,
}

impl Admission {
    /// A place for a connection from `client`, or the reply's message key.
    fn new(
        slots: &Arc<Semaphore>,
        per_client: &Arc<Mutex<HashMap<IpAddr, usize>>>,
        client: IpAddr,
        config: &SmtpConfig,
    ) -> Result<Admission, &'static str> {
        let slot = slots.clone().try_acquire_owned().map_err(|_| "smtp-full")?;
        let mut counts = per_client.lock().expect("connection counts");
        let count = counts.entry(client).or_insert(0);
        if *count >= config.max_per_client {
            return Err("smtp-busy");
        }
        *count += 1;
        Ok(Admission {
            _slot: slot,
            per_client: per_client.clone(),
            client,
        })
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut counts = self.per_client.lock().expect("connection counts");
        if let Some(count) = counts.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.client);
            }
        }
    }
}

/// Answers a connection over the limits with 421 and closes it (RFC 5321 3.1).
async fn refuse_connection(mut stream: TcpStream, config: &SmtpConfig, key: &str) {
    let mut out = Vec::new();
    reply(
        &mut out,
        421,
        "4.7.0",
        &[format!("{} {}", config.hostname, en(key))],
    );
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.write_all(&out)).await;
}

fn en(key: &str) -> String {
    t(Lang::En, key)
}

fn en_args(key: &str, args: &[(&'static str, String)]) -> String {
    t_args(Lang::En, key, args)
}

/// Writes a reply: one line, or several joined as RFC 5321 4.2.1 says (`250-...` then
/// `250 ...`). Replies are ASCII; anything else a text carries (a serial, a file name)
/// becomes `?`, and each line is cut at 400 characters (RFC 5321 4.5.3.1.5 allows 512).
fn reply(out: &mut Vec<u8>, code: u16, status: &str, lines: &[String]) {
    let last = lines.len().saturating_sub(1);
    for (i, line) in lines.iter().enumerate() {
        let sep = if i == last { ' ' } else { '-' };
        out.extend_from_slice(format!("{code}{sep}").as_bytes());
        if !status.is_empty() {
            out.extend_from_slice(status.as_bytes());
            out.push(b' ');
        }
        out.extend(line.chars().take(400).map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c as u8
            } else {
                b'?'
            }
        }));
        out.extend_from_slice(b"\r\n");
    }
}

/// The connection: plain, or TLS after STARTTLS.
type Io = Either<TcpStream, Box<tokio_rustls::server::TlsStream<TcpStream>>>;

/// Acknowledges what arrived at once instead of after the delayed-ACK timer (Linux
/// TCP_QUICKACK, which the kernel clears again by itself, hence after every read). A client
/// that writes a message and then its final dot in two writes, with Nagle's algorithm on
/// (lettre, and many devices), holds the dot until the message is acknowledged; a server
/// that delays that ACK while it waits for the dot costs each mail 40 ms.
fn ack_now(io: &Io) {
    let tcp = match io {
        Either::Left(tcp) => tcp,
        Either::Right(tls) => tls.get_ref().0,
    };
    if let Err(e) = socket2::SockRef::from(tcp).set_tcp_quickack(true) {
        tracing::debug!(error = %e, "TCP_QUICKACK not set");
    }
}

/// The message being sent after `DATA`.
struct Incoming {
    receiver: DataReceiver,
    message: Vec<u8>,
}

/// A mail transaction: from `MAIL` to the end of its message or `RSET`.
struct Transaction {
    sender: String,
    /// The tenant its recipients name; one per transaction.
    tenant: Option<meterport_store::tenants::Tenant>,
    recipients: usize,
}

/// What the connection does after a command's reply.
enum Next {
    Go,
    Data,
    StartTls,
    Close,
}

struct Session<'a> {
    state: &'a AppState,
    config: &'a SmtpConfig,
    mail_times: &'a meter_mail::MailTimes,
    peer: SocketAddr,
    client: String,
    hello: bool,
    tls: bool,
    transaction: Option<Transaction>,
    errors: usize,
    /// The last recipient this session found valid and when: a client that sends mail
    /// after mail to one address over one connection is not looked up each time, but at
    /// least every [`RECIPIENT_TRUSTED_FOR`] (a revoked token stops working within it).
    known: Option<(String, meterport_store::tenants::Tenant, std::time::Instant)>,
}

/// How long a session trusts a recipient it has looked up.
const RECIPIENT_TRUSTED_FOR: Duration = Duration::from_secs(30);

impl<'a> Session<'a> {
    fn new(
        state: &'a AppState,
        config: &'a SmtpConfig,
        mail_times: &'a meter_mail::MailTimes,
        peer: SocketAddr,
    ) -> Session<'a> {
        Session {
            state,
            config,
            mail_times,
            peer,
            client: peer.ip().to_string(),
            hello: false,
            tls: false,
            transaction: None,
            errors: 0,
            known: None,
        }
    }

    async fn run(
        mut self,
        stream: TcpStream,
        mut shutdown: watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        let mut io: Io = Either::Left(stream);
        let mut out = Vec::with_capacity(1024);
        reply(
            &mut out,
            220,
            "",
            &[format!(
                "{} ESMTP {}",
                self.config.hostname,
                en("smtp-greeting")
            )],
        );
        io.write_all(&out).await?;
        let mut commands = RequestReceiver::default();
        let mut incoming: Option<Incoming> = None;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            out.clear();
            let read = tokio::select! {
                read = tokio::time::timeout(self.config.idle_timeout, io.read(&mut buf)) => read,
                // A message being sent is finished; a session between commands is told.
                _ = stopped(&mut shutdown), if incoming.is_none() => {
                    reply(&mut out, 421, "4.3.2", &[en("smtp-shutting-down")]);
                    io.write_all(&out).await?;
                    return Ok(());
                }
            };
            let n = match read {
                Err(_) => {
                    reply(&mut out, 421, "4.4.2", &[en("smtp-idle")]);
                    io.write_all(&out).await?;
                    return Ok(());
                }
                Ok(r) => r?,
            };
            if n == 0 {
                return Ok(());
            }
            ack_now(&io);
            let mut bytes = buf[..n].iter();
            let mut next = Next::Go;
            while bytes.len() > 0 && matches!(next, Next::Go | Next::Data) {
                next = Next::Go;
                if let Some(data) = incoming.as_mut() {
                    let done = data.receiver.ingest(&mut bytes, &mut data.message);
                    if data.message.len() > self.config.max_message_bytes {
                        // Answered and cut off: reading on would only waste the line.
                        let max = self.config.max_message_bytes.to_string();
                        reply(
                            &mut out,
                            552,
                            "5.3.4",
                            &[en_args("smtp-too-big", &[("max", max)])],
                        );
                        next = Next::Close;
                        break;
                    }
                    if done {
                        let message = incoming.take().map(|d| d.message).unwrap_or_default();
                        self.message_end(&message, &mut out).await;
                    }
                    continue;
                }
                let request = match commands.ingest(&mut bytes) {
                    Ok(request) => request.into_owned(),
                    Err(ProtoError::NeedsMoreData { .. }) => break,
                    Err(e) => {
                        next = self.refuse_line(e, &mut out);
                        continue;
                    }
                };
                next = self.command(request, &mut out).await;
                if matches!(next, Next::Data) {
                    incoming = Some(Incoming {
                        receiver: DataReceiver::new(),
                        message: Vec::with_capacity(16 * 1024),
                    });
                }
            }
            io.write_all(&out).await?;
            match next {
                Next::Close => {
                    io.shutdown().await.ok();
                    return Ok(());
                }
                Next::StartTls => {
                    // RFC 3207: nothing sent after STARTTLS in the clear may be used.
                    if bytes.len() > 0 {
                        return Ok(());
                    }
                    let Some(tls) = self.config.tls.clone() else {
                        return Ok(());
                    };
                    let Either::Left(tcp) = io else {
                        return Ok(());
                    };
                    io = Either::Right(Box::new(TlsAcceptor::from(tls).accept(tcp).await?));
                    // The client starts over: it greets again and forgets what it was told.
                    self.tls = true;
                    self.hello = false;
                    self.transaction = None;
                    commands = RequestReceiver::default();
                }
                Next::Go | Next::Data => {}
            }
        }
    }

    /// A line that is no command we understand.
    fn refuse_line(&mut self, e: ProtoError, out: &mut Vec<u8>) -> Next {
        match e {
            ProtoError::UnknownCommand => {
                reply(out, 500, "5.5.1", &[en("smtp-unknown-command")]);
            }
            ProtoError::ResponseTooLong => {
                reply(out, 500, "5.5.2", &[en("smtp-line-too-long")]);
            }
            ProtoError::UnsupportedParameter { param } => {
                let args = [("param", param)];
                reply(
                    out,
                    555,
                    "5.5.4",
                    &[en_args("smtp-unsupported-parameter", &args)],
                );
            }
            ProtoError::InvalidParameter { param } => {
                let args = [("param", param.to_string())];
                reply(
                    out,
                    501,
                    "5.5.4",
                    &[en_args("smtp-unsupported-parameter", &args)],
                );
            }
            ProtoError::SyntaxError { syntax } => {
                let args = [("command", syntax.to_string())];
                reply(out, 501, "5.5.2", &[en_args("smtp-syntax", &args)]);
            }
            ProtoError::InvalidSenderAddress | ProtoError::InvalidRecipientAddress => {
                let args = [("command", "the address".to_string())];
                reply(out, 501, "5.1.3", &[en_args("smtp-syntax", &args)]);
            }
            ProtoError::NeedsMoreData { .. } | ProtoError::InvalidResponse { .. } => {
                reply(out, 500, "5.5.2", &[en("smtp-unknown-command")]);
            }
        }
        self.count_error(out)
    }

    /// Counts a refused command; the client is cut off after too many.
    fn count_error(&mut self, out: &mut Vec<u8>) -> Next {
        self.errors += 1;
        if self.errors > self.config.max_errors {
            reply(out, 421, "4.7.0", &[en("smtp-too-many-errors")]);
            return Next::Close;
        }
        Next::Go
    }

    async fn command(&mut self, request: Request<String>, out: &mut Vec<u8>) -> Next {
        match request {
            Request::Ehlo { .. } => {
                self.hello = true;
                self.transaction = None;
                let mut lines = vec![
                    self.config.hostname.clone(),
                    "8BITMIME".into(),
                    "PIPELINING".into(),
                    format!("SIZE {}", self.config.max_message_bytes),
                    "ENHANCEDSTATUSCODES".into(),
                ];
                if self.config.tls.is_some() && !self.tls {
                    lines.push("STARTTLS".into());
                }
                lines.push("HELP".into());
                reply(out, 250, "", &lines);
            }
            Request::Helo { .. } => {
                self.hello = true;
                self.transaction = None;
                reply(out, 250, "", std::slice::from_ref(&self.config.hostname));
            }
            Request::Mail { from } => {
                if !self.hello {
                    reply(out, 503, "5.5.1", &[en("smtp-need-hello")]);
                    return self.count_error(out);
                }
                if self.transaction.is_some() {
                    reply(out, 503, "5.5.1", &[en("smtp-nested-mail")]);
                    return self.count_error(out);
                }
                if from.size > self.config.max_message_bytes {
                    let max = self.config.max_message_bytes.to_string();
                    reply(
                        out,
                        552,
                        "5.3.4",
                        &[en_args("smtp-too-big", &[("max", max)])],
                    );
                    return Next::Go;
                }
                self.transaction = Some(Transaction {
                    sender: from.address,
                    tenant: None,
                    recipients: 0,
                });
                reply(out, 250, "2.1.0", &[en("smtp-ok")]);
            }
            Request::Rcpt { to } => return self.recipient(&to.address, out).await,
            Request::Data => {
                match &self.transaction {
                    None => {
                        reply(out, 503, "5.5.1", &[en("smtp-need-mail")]);
                        return self.count_error(out);
                    }
                    Some(t) if t.tenant.is_none() => {
                        reply(out, 554, "5.5.1", &[en("smtp-need-rcpt")]);
                        return self.count_error(out);
                    }
                    Some(_) => {}
                }
                reply(out, 354, "", &[en("smtp-data-go")]);
                return Next::Data;
            }
            Request::Rset => {
                self.transaction = None;
                reply(out, 250, "2.0.0", &[en("smtp-ok")]);
            }
            Request::Noop { .. } => reply(out, 250, "2.0.0", &[en("smtp-ok")]),
            Request::Quit => {
                reply(out, 221, "2.0.0", &[en("smtp-bye")]);
                return Next::Close;
            }
            Request::Vrfy { .. } => reply(out, 252, "2.1.5", &[en("smtp-vrfy")]),
            Request::Help { .. } => reply(out, 214, "2.0.0", &[en("smtp-help")]),
            Request::StartTls => {
                if self.tls {
                    reply(out, 503, "5.5.1", &[en("smtp-tls-already")]);
                    return self.count_error(out);
                }
                if self.config.tls.is_none() {
                    reply(out, 454, "4.7.0", &[en("smtp-tls-unavailable")]);
                    return self.count_error(out);
                }
                reply(out, 220, "2.0.0", &[en("smtp-tls-go")]);
                return Next::StartTls;
            }
            // Not offered in the EHLO reply: CHUNKING, AUTH, ETRN, LMTP and the rest.
            Request::Lhlo { .. }
            | Request::Bdat { .. }
            | Request::Auth { .. }
            | Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => {
                reply(out, 502, "5.5.1", &[en("smtp-unknown-command")]);
                return self.count_error(out);
            }
        }
        Next::Go
    }

    /// `RCPT TO`: the address's local part must be an ingest token, and every recipient of
    /// a transaction must speak for the same tenant.
    async fn recipient(&mut self, address: &str, out: &mut Vec<u8>) -> Next {
        let Some(transaction) = self.transaction.as_ref() else {
            reply(out, 503, "5.5.1", &[en("smtp-need-mail")]);
            return self.count_error(out);
        };
        if transaction.recipients >= self.config.max_recipients {
            let max = self.config.max_recipients.to_string();
            let text = en_args("smtp-too-many-recipients", &[("max", max)]);
            reply(out, 452, "4.5.3", &[text]);
            return Next::Go;
        }
        let cached = self
            .known
            .as_ref()
            .filter(|(known, _, at)| known == address && at.elapsed() < RECIPIENT_TRUSTED_FOR);
        let found = match cached {
            Some((_, tenant, _)) => Ok(Some(tenant.clone())),
            None => meter_mail::recipient(&self.state.services, address).await,
        };
        let tenant = match found {
            Ok(Some(tenant)) => {
                if cached.is_none() {
                    let now = std::time::Instant::now();
                    self.known = Some((address.to_string(), tenant.clone(), now));
                }
                tenant
            }
            Ok(None) => {
                // The same answer for every address that is no valid token: it tells no one
                // whether a tenant or a token exists.
                reply(out, 550, "5.1.1", &[en("smtp-no-such-recipient")]);
                return self.count_error(out);
            }
            Err(e) => {
                tracing::error!(error = %e, "SMTP recipient lookup failed");
                reply(out, 451, "4.3.0", &[en("smtp-try-later")]);
                return Next::Go;
            }
        };
        let transaction = self.transaction.as_mut().expect("checked above");
        match &transaction.tenant {
            Some(t) if t.id != tenant.id => {
                reply(out, 452, "4.5.3", &[en("smtp-one-customer")]);
                return Next::Go;
            }
            Some(_) => {}
            None => transaction.tenant = Some(tenant),
        }
        transaction.recipients += 1;
        reply(out, 250, "2.1.5", &[en("smtp-ok")]);
        Next::Go
    }

    /// The end of a message: stored and answered 250, refused with 554, or 451.
    async fn message_end(&mut self, message: &[u8], out: &mut Vec<u8>) {
        let Some(Transaction {
            sender,
            tenant: Some(tenant),
            ..
        }) = self.transaction.take()
        else {
            // DATA is only accepted with a recipient.
            reply(out, 503, "5.5.1", &[en("smtp-need-rcpt")]);
            return;
        };
        let received = Received {
            tenant: &tenant,
            sender: &sender,
            client: &self.client,
            message,
            now_ms: self.state.now_ms(),
        };
        let delivered = meter_mail::deliver(
            &self.state.services,
            &self.state.ingest,
            self.mail_times,
            received,
        );
        match delivered.await {
            Ok(Outcome::Delivered(d)) => {
                let mut lines = vec![en_args(
                    "smtp-stored",
                    &[
                        ("accepted", d.stored.accepted.to_string()),
                        ("duplicates", d.stored.duplicates.to_string()),
                    ],
                )];
                if d.skipped_rows > 0 {
                    let count = d.skipped_rows.to_string();
                    lines.push(en_args("smtp-skipped-rows", &[("count", count)]));
                }
                if !d.unused_columns.is_empty() {
                    let columns = d.unused_columns.join(", ");
                    lines.push(en_args("smtp-unused-columns", &[("columns", columns)]));
                }
                reply(out, 250, "2.0.0", &lines);
            }
            Ok(Outcome::Refused { refusal, .. }) => {
                let lines = crate::i18n::mail_refusal(Lang::En, &refusal);
                reply(out, 554, "5.6.0", &lines);
            }
            Err(e) => {
                tracing::error!(client = %self.peer, error = %e, "meter mail not stored");
                reply(out, 451, "4.3.0", &[en("smtp-try-later")]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_of_several_lines_continue_with_a_dash() {
        let mut out = Vec::new();
        reply(&mut out, 554, "5.6.0", &["first".into(), "second".into()]);
        assert_eq!(out, b"554-5.6.0 first\r\n554 5.6.0 second\r\n");
        out.clear();
        reply(&mut out, 220, "", &["host ready".into()]);
        assert_eq!(out, b"220 host ready\r\n");
    }

    #[test]
    fn replies_are_ascii_and_bounded() {
        let mut out = Vec::new();
        reply(
            &mut out,
            250,
            "2.0.0",
            &[format!("機器\r\n{}", "x".repeat(600))],
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("250 2.0.0 ????xxx"), "{text}");
        assert_eq!(text.lines().count(), 1);
        assert!(text.len() < 420);
    }
}
