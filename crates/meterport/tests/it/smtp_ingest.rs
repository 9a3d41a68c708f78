//! The SMTP listener of meter mails (SPEC I2), spoken to by real clients over sockets: lettre
//! for whole deliveries, and a line-level client for the protocol's edges (limits, pipelining,
//! refusals). What a mail stored is read back through the read API.

use std::net::SocketAddr;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use meterport_portal::smtp::SmtpConfig;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;

use crate::harness::{TestApp, admin, mfp};

/// The listener of a test's portal, stopped when dropped.
struct Listener {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    done: Option<tokio::task::JoinHandle<()>>,
}

impl Listener {
    async fn start(app: &TestApp, config: SmtpConfig) -> Listener {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopping) = watch::channel(false);
        let done = tokio::spawn(meterport_portal::smtp::serve(
            listener,
            app.state.clone(),
            config,
            stopping,
        ));
        Listener {
            addr,
            stop,
            done: Some(done),
        }
    }

    /// Tells the listener to stop and waits until every session has ended.
    async fn shut_down(mut self) {
        self.stop.send_replace(true);
        let done = self.done.take().unwrap();
        tokio::time::timeout(Duration::from_secs(20), done)
            .await
            .expect("the listener stops")
            .unwrap();
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// A tenant with devices SN-1 and SN-2 (Asia/Tokyo), its ingest and read tokens.
async fn customer(app: &TestApp, name: &str) -> (meterport_store::tenants::Tenant, String, String) {
    let tenant = app.tenant(name, "Asia/Tokyo").await;
    for serial in ["SN-1", "SN-2"] {
        let serial = format!("{name}-{serial}");
        app.device(&tenant, mfp(&serial, &serial)).await;
    }
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    (tenant, ingest, read)
}

/// Sends `message` with lettre, from `device@site.example` to `to`.
async fn send(
    addr: SocketAddr,
    to: &str,
    message: &[u8],
) -> Result<lettre::transport::smtp::response::Response, lettre::transport::smtp::Error> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(addr.port())
        .timeout(Some(Duration::from_secs(60)))
        .build();
    let envelope = Envelope::new(
        Some("device@site.example".parse().unwrap()),
        vec![to.parse().unwrap()],
    )
    .unwrap();
    transport.send_raw(&envelope, message).await
}

/// The text of a lettre reply, its lines joined by newlines.
fn text(response: &lettre::transport::smtp::response::Response) -> String {
    response.message().collect::<Vec<_>>().join("\n")
}

/// A message with headers and a plain-text body (CRLF line ends).
fn mail(date: &str, body: &str) -> Vec<u8> {
    format!(
        "From: device@site.example\r\nTo: portal@example.com\r\nDate: {date}\r\n\
         Subject: counters\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{}",
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

/// One device's cumulative counters of a month, from the read API (serials starting with
/// `LFP` are large-format printers).
async fn month_counters(app: &TestApp, read: &str, serial: &str, month: &str) -> Value {
    let class = if serial.starts_with("LFP") {
        "lfp"
    } else {
        "mfp"
    };
    let (status, body) = app
        .get(
            &format!(
                "/api/v1/counters?unit=month&from={month}&to={month}&kind=cumulative&class={class}"
            ),
            read,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let device = body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["serial"] == serial)
        .unwrap_or_else(|| panic!("{serial} in {body}"));
    device["periods"][month].clone()
}

/// A line-level SMTP client, for what lettre does not do on purpose.
struct Raw {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Raw {
    /// Connects from `source` (any 127.x.y.z address is this machine's).
    async fn connect_from(addr: SocketAddr, source: &str) -> Raw {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
        let stream = socket.connect(addr).await.unwrap();
        let (read, write) = stream.into_split();
        Raw {
            reader: BufReader::new(read),
            writer: write,
        }
    }

    /// Connects from 127.0.0.1 and reads the greeting.
    async fn greeted(addr: SocketAddr) -> Raw {
        let mut raw = Raw::connect_from(addr, "127.0.0.1").await;
        let (code, _) = raw.reply().await;
        assert_eq!(code, 220);
        raw
    }

    /// A reply: its code and its lines' texts (without the code), joined by newlines.
    async fn reply(&mut self) -> (u16, String) {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(30), self.reader.read_line(&mut line))
                .await
                .expect("a reply in time")
                .unwrap();
            assert!(n > 0, "the server closed before replying; got {lines:?}");
            let code: u16 = line[..3].parse().expect("a reply code");
            lines.push(line[4..].trim_end().to_string());
            if line.as_bytes()[3] == b' ' {
                return (code, lines.join("\n"));
            }
        }
    }

    async fn write(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    /// Sends a command line and reads its reply.
    async fn send(&mut self, line: &str) -> (u16, String) {
        self.write(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    /// Whether the server closed the connection (read gives end of file).
    async fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        matches!(
            tokio::time::timeout(Duration::from_secs(30), self.reader.read_to_end(&mut rest)).await,
            Ok(Ok(_))
        )
    }

    /// A whole transaction: the reply to the end of the message.
    async fn deliver(&mut self, to: &str, message: &[u8]) -> (u16, String) {
        assert_eq!(self.send("EHLO site.example").await.0, 250);
        assert_eq!(self.send("MAIL FROM:<device@site.example>").await.0, 250);
        let (code, reply) = self.send(&format!("RCPT TO:<{to}>")).await;
        assert_eq!(code, 250, "{reply}");
        assert_eq!(self.send("DATA").await.0, 354);
        self.write(message).await;
        self.send(".").await
    }
}

const REPORT: &str =
    "serial: {serial}\nread_at: 2021-11-30T18:00:00+09:00\ntotal1: 1200\nmono: 1000\ncolor: 200\n";

fn report(serial: &str) -> String {
    REPORT.replace("{serial}", serial)
}

#[tokio::test]
async fn a_key_value_report_is_stored_before_the_250_which_says_how_many() {
    let app = TestApp::spawn().await;
    let (_tenant, ingest, read) = customer(&app, "acme").await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let message = mail("Tue, 30 Nov 2021 18:05:00 +0900", &report("acme-SN-1"));
    let reply = send(smtp.addr, &format!("{ingest}@portal.example"), &message)
        .await
        .expect("stored");
    assert_eq!(reply.code().to_string(), "250");
    assert_eq!(text(&reply), "2.0.0 Stored 1 readings, 0 duplicates");
    let month = month_counters(&app, &read, "acme-SN-1", "2021-11").await;
    assert_eq!(month["total1"], 1200);
    assert_eq!(month["mono"], 1000);
    assert_eq!(month["color"], 200);
    // The same mail again is a duplicate, still answered 250.
    let reply = send(smtp.addr, &format!("{ingest}@portal.example"), &message)
        .await
        .expect("stored");
    assert_eq!(text(&reply), "2.0.0 Stored 0 readings, 1 duplicates");
    smtp.shut_down().await;
}

#[tokio::test]
async fn ehlo_announces_size_pipelining_and_8bitmime() {
    let app = TestApp::spawn().await;
    let config = SmtpConfig {
        hostname: "portal.example".into(),
        max_message_bytes: 1_000_000,
        ..SmtpConfig::default()
    };
    let smtp = Listener::start(&app, config).await;
    let mut raw = Raw::connect_from(smtp.addr, "127.0.0.1").await;
    let (code, greeting) = raw.reply().await;
    assert_eq!(code, 220);
    assert!(greeting.starts_with("portal.example ESMTP"), "{greeting}");
    let (code, ehlo) = raw.send("EHLO site.example").await;
    assert_eq!(code, 250);
    let lines: Vec<&str> = ehlo.lines().collect();
    assert_eq!(
        lines,
        [
            "portal.example",
            "8BITMIME",
            "PIPELINING",
            "SIZE 1000000",
            "ENHANCEDSTATUSCODES",
            "HELP"
        ],
        "no STARTTLS without a certificate"
    );
    assert_eq!(raw.send("NOOP").await.0, 250);
    assert_eq!(raw.send("VRFY someone").await.0, 252);
    assert_eq!(
        raw.send("STARTTLS").await,
        (454, "4.7.0 TLS is not available".into())
    );
    assert_eq!(raw.send("QUIT").await, (221, "2.0.0 Bye".into()));
    assert!(raw.closed().await);
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order_and_the_message_stored() {
    let app = TestApp::spawn().await;
    let (_tenant, ingest, read) = customer(&app, "acme").await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let mut raw = Raw::greeted(smtp.addr).await;
    assert_eq!(raw.send("EHLO site.example").await.0, 250);
    // RFC 2920: MAIL, RCPT and DATA in one write; the replies come in order.
    raw.write(
        format!(
            "MAIL FROM:<d@site.example>\r\nRCPT TO:<nobody@x>\r\nRCPT TO:<{ingest}@x>\r\nDATA\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(raw.reply().await.0, 250);
    assert_eq!(raw.reply().await, (550, "5.1.1 No such recipient".into()));
    assert_eq!(raw.reply().await.0, 250);
    assert_eq!(raw.reply().await.0, 354);
    let message = mail("Tue, 30 Nov 2021 18:05:00 +0900", &report("acme-SN-2"));
    raw.write(&message).await;
    let (code, text) = raw.send(".").await;
    assert_eq!(
        (code, text.as_str()),
        (250, "2.0.0 Stored 1 readings, 0 duplicates")
    );
    assert_eq!(
        month_counters(&app, &read, "acme-SN-2", "2021-11").await["total1"],
        1200
    );
}

#[tokio::test]
async fn a_recipient_that_is_no_valid_ingest_token_is_refused_at_rcpt_all_alike() {
    let app = TestApp::spawn().await;
    let (tenant, ingest, read) = customer(&app, "acme").await;
    let (revoked_id, revoked) = app
        .store
        .issue_token(
            tenant.id,
            meterport_store::tokens::TokenKind::Ingest,
            None,
            0,
        )
        .await
        .unwrap();
    app.store
        .revoke_token(tenant.id, revoked_id, 1)
        .await
        .unwrap();
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let mut raw = Raw::greeted(smtp.addr).await;
    assert_eq!(raw.send("EHLO site.example").await.0, 250);
    assert_eq!(raw.send("MAIL FROM:<d@site.example>").await.0, 250);
    // A made-up token, a revoked one, a read token, a plain name: the same answer, so the
    // listener tells no one which tenants or tokens exist.
    let made_up = format!("mpi_{}", "0".repeat(40));
    for to in [
        made_up.as_str(),
        revoked.as_str(),
        read.as_str(),
        "postmaster",
    ] {
        let (code, reply) = raw.send(&format!("RCPT TO:<{to}@portal.example>")).await;
        assert_eq!(
            (code, reply.as_str()),
            (550, "5.1.1 No such recipient"),
            "{to}"
        );
    }
    let (code, reply) = raw.send("DATA").await;
    assert_eq!((code, reply.as_str()), (554, "5.5.1 Say RCPT TO first"));
    // The valid token is taken, its domain does not matter.
    assert_eq!(
        raw.send(&format!("RCPT TO:<{ingest}@any.domain>")).await.0,
        250
    );
}

#[tokio::test]
async fn one_message_speaks_for_one_tenant() {
    let app = TestApp::spawn().await;
    let (acme, acme_ingest, acme_read) = customer(&app, "acme").await;
    let (_globex, globex_ingest, _) = customer(&app, "globex").await;
    let second_acme = app.ingest_token(&acme).await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let mut raw = Raw::greeted(smtp.addr).await;
    assert_eq!(raw.send("EHLO site.example").await.0, 250);
    assert_eq!(raw.send("MAIL FROM:<d@site.example>").await.0, 250);
    assert_eq!(raw.send(&format!("RCPT TO:<{acme_ingest}@x>")).await.0, 250);
    // Another token of the same tenant is the same customer.
    assert_eq!(raw.send(&format!("RCPT TO:<{second_acme}@x>")).await.0, 250);
    let (code, reply) = raw.send(&format!("RCPT TO:<{globex_ingest}@x>")).await;
    assert_eq!(
        (code, reply.as_str()),
        (
            452,
            "4.5.3 One customer per message: send a separate message to this address"
        )
    );
    assert_eq!(raw.send("DATA").await.0, 354);
    // A report naming the other tenant's device is refused like an unknown serial.
    raw.write(&mail(
        "Tue, 30 Nov 2021 18:05:00 +0900",
        &format!("{}{}", report("acme-SN-1"), report("globex-SN-1")),
    ))
    .await;
    let (code, reply) = raw.send(".").await;
    assert_eq!(code, 554, "{reply}");
    assert_eq!(
        reply,
        "5.6.0 Readings refused: 1; nothing stored\n\
         5.6.0 reading 2 (serial globex-SN-1): serial is not a registered device of this customer"
    );
    assert!(
        month_counters(&app, &acme_read, "acme-SN-1", "2021-11")
            .await
            .is_null()
    );
}

#[tokio::test]
async fn size_is_enforced_at_mail_and_while_the_message_comes() {
    let app = TestApp::spawn().await;
    let (_tenant, ingest, read) = customer(&app, "acme").await;
    let config = SmtpConfig {
        max_message_bytes: 4096,
        ..SmtpConfig::default()
    };
    let smtp = Listener::start(&app, config).await;
    let mut raw = Raw::greeted(smtp.addr).await;
    assert_eq!(raw.send("EHLO site.example").await.0, 250);
    let (code, reply) = raw.send("MAIL FROM:<d@site.example> SIZE=5000").await;
    assert_eq!(
        (code, reply.as_str()),
        (552, "5.3.4 Message too big: at most 4096 bytes")
    );
    // A client that says nothing of the size and sends more is answered and cut off.
    assert_eq!(raw.send("MAIL FROM:<d@site.example>").await.0, 250);
    assert_eq!(raw.send(&format!("RCPT TO:<{ingest}@x>")).await.0, 250);
    assert_eq!(raw.send("DATA").await.0, 354);
    let mut big = mail("Tue, 30 Nov 2021 18:05:00 +0900", &report("acme-SN-1"));
    big.extend(std::iter::repeat_n(b'x', 5000));
    raw.write(&big).await;
    assert_eq!(
        raw.reply().await,
        (552, "5.3.4 Message too big: at most 4096 bytes".into())
    );
    assert!(raw.closed().await);
    assert!(
        month_counters(&app, &read, "acme-SN-1", "2021-11")
            .await
            .is_null()
    );
}

#[tokio::test]
async fn a_flood_from_one_address_is_limited_while_another_address_delivers() {
    let app = TestApp::spawn().await;
    let (_tenant, ingest, read) = customer(&app, "acme").await;
    let config = SmtpConfig {
        max_per_client: 3,
        ..SmtpConfig::default()
    };
    let smtp = Listener::start(&app, config).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(Raw::greeted(smtp.addr).await);
    }
    for _ in 0..5 {
        let mut flood = Raw::connect_from(smtp.addr, "127.0.0.1").await;
        assert_eq!(
            flood.reply().await,
            (
                421,
                "4.7.0 meterport Too many connections from your address, try again later".into()
            )
        );
        assert!(flood.closed().await);
    }
    let mut other = Raw::connect_from(smtp.addr, "127.0.0.2").await;
    assert_eq!(other.reply().await.0, 220);
    let message = mail("Tue, 30 Nov 2021 18:05:00 +0900", &report("acme-SN-1"));
    let (code, reply) = other.deliver(&format!("{ingest}@x"), &message).await;
    assert_eq!(code, 250, "{reply}");
    assert_eq!(
        month_counters(&app, &read, "acme-SN-1", "2021-11").await["total1"],
        1200
    );
    // A connection that ends gives its place back.
    let mut first = held.remove(0);
    assert_eq!(first.send("QUIT").await.0, 221);
    assert!(first.closed().await);
    let mut again = Raw::greeted(smtp.addr).await;
    assert_eq!(again.send("NOOP").await.0, 250);
}

#[tokio::test]
async fn an_idle_client_and_a_client_of_many_errors_are_cut_off() {
    let app = TestApp::spawn().await;
    let config = SmtpConfig {
        idle_timeout: Duration::from_millis(300),
        max_errors: 3,
        ..SmtpConfig::default()
    };
    let smtp = Listener::start(&app, config).await;
    let mut idle = Raw::greeted(smtp.addr).await;
    assert_eq!(
        idle.reply().await,
        (421, "4.4.2 Idle too long, closing".into())
    );
    assert!(idle.closed().await);

    let mut noisy = Raw::greeted(smtp.addr).await;
    assert_eq!(
        noisy.send("HELLO").await,
        (500, "5.5.1 Command not understood".into())
    );
    assert_eq!(
        noisy.send("MAIL FROM:<a@b>").await,
        (503, "5.5.1 Say EHLO or HELO first".into())
    );
    assert_eq!(noisy.send("AUTH PLAIN").await.0, 502);
    let (code, reply) = noisy.send("BDAT 10").await;
    assert_eq!(code, 502, "{reply}");
    assert_eq!(
        noisy.reply().await,
        (421, "4.7.0 Too many errors, closing".into())
    );
    assert!(noisy.closed().await);
}

#[tokio::test]
async fn a_refused_mail_is_answered_with_its_reason_and_kept_for_the_operator() {
    let app = TestApp::spawn().await;
    let (tenant, ingest, read) = customer(&app, "acme").await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let message = mail(
        "Tue, 30 Nov 2021 18:05:00 +0900",
        "Hello,\nthe printer on the 2nd floor is jammed again.\n",
    );
    let err = send(smtp.addr, &format!("{ingest}@x"), &message)
        .await
        .expect_err("refused");
    assert!(err.is_permanent(), "{err}");
    assert!(
        err.to_string()
            .contains("No meter report found in the message"),
        "{err}"
    );
    let unknown = mail("Tue, 30 Nov 2021 18:05:00 +0900", &report("NOT-OURS-9"));
    let err = send(smtp.addr, &format!("{ingest}@x"), &unknown)
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains(
            "reading 1 (serial NOT-OURS-9): serial is not a registered device of this customer"
        ),
        "{err}"
    );
    assert!(
        month_counters(&app, &read, "acme-SN-1", "2021-11")
            .await
            .is_null()
    );

    let (ok, out, err) = admin(&app.db.url, &["mail-rejects"], "");
    assert!(ok, "{err}");
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{out}");
    // Newest first: id, received at, tenant, sender, client, size, reason.
    assert_eq!(rows[0][2], tenant.id.to_string());
    assert_eq!(rows[0][3], "device@site.example");
    assert_eq!(rows[0][4], "127.0.0.1");
    assert_eq!(
        rows[0][6],
        "Readings refused: 1; nothing stored; reading 1 (serial NOT-OURS-9): serial is not a registered device of this customer"
    );
    assert!(rows[1][6].starts_with("No meter report found"), "{out}");
    let (ok, shown, err) = admin(&app.db.url, &["mail-rejects", "--show", rows[1][0]], "");
    assert!(ok, "{err}");
    assert!(shown.starts_with("Refused-At: "), "{shown}");
    assert!(
        shown.contains("\nSender: <device@site.example> from 127.0.0.1\n"),
        "{shown}"
    );
    assert!(
        shown.contains("the printer on the 2nd floor is jammed again."),
        "{shown}"
    );
    let (ok, _, err) = admin(&app.db.url, &["mail-rejects", "--show", "999999"], "");
    assert!(!ok);
    assert!(err.contains("no such refused mail"), "{err}");
}

#[tokio::test]
async fn stopping_answers_waiting_sessions_and_finishes_a_message_being_sent() {
    let app = TestApp::spawn().await;
    let (_tenant, ingest, read) = customer(&app, "acme").await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let mut waiting = Raw::greeted(smtp.addr).await;
    assert_eq!(waiting.send("EHLO site.example").await.0, 250);
    let mut sending = Raw::greeted(smtp.addr).await;
    assert_eq!(sending.send("EHLO site.example").await.0, 250);
    assert_eq!(sending.send("MAIL FROM:<d@site.example>").await.0, 250);
    assert_eq!(sending.send(&format!("RCPT TO:<{ingest}@x>")).await.0, 250);
    assert_eq!(sending.send("DATA").await.0, 354);
    let message = mail("Tue, 30 Nov 2021 18:05:00 +0900", &report("acme-SN-1"));
    sending.write(&message[..40]).await;
    let addr = smtp.addr;
    let stopped = tokio::spawn(smtp.shut_down());
    assert_eq!(
        waiting.reply().await,
        (
            421,
            "4.3.2 The portal is shutting down, try again later".into()
        )
    );
    // No new connection is taken.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    sending.write(&message[40..]).await;
    let (code, reply) = sending.send(".").await;
    assert_eq!(code, 250, "{reply}");
    assert_eq!(sending.reply().await.0, 421);
    stopped.await.unwrap();
    assert_eq!(
        month_counters(&app, &read, "acme-SN-1", "2021-11").await["total1"],
        1200
    );
}

/// 2026-12-07T00:00:00Z: after the dates of the meter-mail fixtures.
fn december_2026() -> i64 {
    "2026-12-07T00:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_millisecond()
}

/// A message written for the meter-mail crate's tests, from devices' documented formats.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../meter-mail/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A delivery of one fixture and what it must leave.
struct FormatCase {
    fixture: &'static str,
    /// Serials to register; those starting with `LFP` as large-format printers.
    devices: &'static [&'static str],
    /// The 250 reply's lines.
    reply: &'static [&'static str],
    /// One stored value read back: serial, month, counter, cumulative value.
    check: (&'static str, &'static str, &'static str, &'static str),
}

const FORMATS: &[FormatCase] = &[
    FormatCase {
        fixture: "json_body.eml",
        devices: &["E1234567", "LFP0001"],
        reply: &["2.0.0 Stored 2 readings, 0 duplicates"],
        check: ("LFP0001", "2026-12", "total1", "1523.125"),
    },
    FormatCase {
        fixture: "json_attachment.eml",
        devices: &["E1234567"],
        reply: &["2.0.0 Stored 1 readings, 0 duplicates"],
        check: ("E1234567", "2026-12", "scan", "321"),
    },
    FormatCase {
        fixture: "json_no_read_at.eml",
        devices: &["E1234567", "E7654321"],
        reply: &["2.0.0 Stored 2 readings, 0 duplicates"],
        check: ("E7654321", "2026-11", "total1", "99"),
    },
    FormatCase {
        fixture: "key_value_lf.eml",
        devices: &["E1234567", "E7654321"],
        reply: &["2.0.0 Stored 2 readings, 0 duplicates"],
        check: ("E1234567", "2026-12", "color_print", "2000"),
    },
    FormatCase {
        fixture: "key_value_crlf.eml",
        devices: &["E1234567", "E7654321"],
        reply: &["2.0.0 Stored 2 readings, 0 duplicates"],
        check: ("E7654321", "2026-12", "total1", "500"),
    },
    FormatCase {
        fixture: "key_value_iso2022jp_qp.eml",
        devices: &["E1234567"],
        reply: &["2.0.0 Stored 1 readings, 0 duplicates"],
        check: ("E1234567", "2026-12", "mono_copy", "10"),
    },
    FormatCase {
        fixture: "ricoh_sjis_base64.eml",
        devices: &["E1234567", "E7654321", "E5555555"],
        reply: &[
            "2.0.0 Stored 2 readings, 0 duplicates",
            "2.0.0 Rows with a serial but no counter, skipped: 1",
        ],
        check: ("E5555555", "2026-12", "mono_print", "500"),
    },
    FormatCase {
        fixture: "kyocera.eml",
        devices: &["LVA1234567", "VCF7654321"],
        reply: &["2.0.0 Stored 2 readings, 0 duplicates"],
        check: ("LVA1234567", "2026-12", "receive", "14567"),
    },
    FormatCase {
        fixture: "meterport_csv.eml",
        devices: &["E1234567", "LFP0001"],
        reply: &["2.0.0 Stored 2 readings, 0 duplicates"],
        check: ("E1234567", "2026-12", "paper_a4", "8000"),
    },
    FormatCase {
        fixture: "sharp.eml",
        devices: &["05012345"],
        reply: &["2.0.0 Stored 1 readings, 0 duplicates"],
        check: ("05012345", "2026-12", "copy", "2345"),
    },
    FormatCase {
        fixture: "multipart_body_and_attachment.eml",
        devices: &["E1234567", "E7654321"],
        reply: &["2.0.0 Stored 2 readings, 0 duplicates"],
        check: ("E7654321", "2026-12", "total1", "500"),
    },
];

#[tokio::test]
async fn every_format_and_encoding_is_stored_through_the_listener() {
    for case in FORMATS {
        let app = TestApp::spawn().await;
        app.clock.set(december_2026());
        let tenant = app.tenant("acme", "Asia/Tokyo").await;
        for serial in case.devices {
            let json = if serial.starts_with("LFP") {
                crate::harness::lfp(serial, serial, "m2")
            } else {
                mfp(serial, serial)
            };
            app.device(&tenant, json).await;
        }
        let ingest = app.ingest_token(&tenant).await;
        let read = app.read_token(&tenant).await;
        let smtp = Listener::start(&app, SmtpConfig::default()).await;
        let reply = send(
            smtp.addr,
            &format!("{ingest}@meter.example"),
            &fixture(case.fixture),
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", case.fixture));
        let lines: Vec<String> = text(&reply).lines().map(str::to_string).collect();
        assert_eq!(
            &lines[..case.reply.len()],
            case.reply,
            "{}: {lines:?}",
            case.fixture
        );
        let (serial, month, key, value) = case.check;
        let stored = month_counters(&app, &read, serial, month).await;
        assert_eq!(
            stored[key].to_string(),
            value,
            "{}: {serial} {month} {stored}",
            case.fixture
        );
    }
}

#[tokio::test]
async fn columns_that_mean_no_single_counter_are_named_in_the_answer_not_stored() {
    let app = TestApp::spawn().await;
    app.clock.set(december_2026());
    let tenant = app.tenant("acme", "Asia/Tokyo").await;
    for serial in ["E1234567", "E7654321", "E5555555"] {
        app.device(&tenant, mfp(serial, serial)).await;
    }
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let reply = send(
        smtp.addr,
        &format!("{ingest}@x"),
        &fixture("ricoh_sjis_base64.eml"),
    )
    .await
    .expect("stored");
    let answer = text(&reply);
    let unused = answer
        .lines()
        .find_map(|l| l.strip_prefix("2.0.0 not read: "))
        .unwrap_or_else(|| panic!("the columns not read are named: {answer}"));
    let unused: Vec<&str> = unused.split(", ").collect();
    // A3/DLT counts two sizes together; Fax B&W and the scanner's B&W sends are parts of
    // counters, not counters.
    for column in ["A3/DLT", "Fax B&W Counter", "Scanner Send B&W Counter"] {
        assert!(unused.contains(&column), "{column} in {unused:?}");
    }
    let stored = month_counters(&app, &read, "E1234567", "2026-12").await;
    for key in ["paper_a3", "paper_ledger", "receive", "scan_send"] {
        assert!(stored[key].is_null(), "{key} stays empty: {stored}");
    }
    assert_eq!(stored["total1"], 12345);
}

/// A CSV of `devices` rows in our own columns, with a long comment column that makes it
/// megabytes, as site tools' exports with many columns are.
fn fleet_csv(devices: usize, total1: impl Fn(usize) -> u64) -> String {
    let mut csv = String::from("serial,read_at,total1,mono,color,copy,print,comment\n");
    let comment = "x".repeat(2_000);
    for i in 0..devices {
        let total = total1(i);
        let color = total / 4;
        csv.push_str(&format!(
            "FL{i:05},2026-12-01T09:00:00+09:00,{total},{},{color},{},{},{comment}\n",
            total - color,
            total / 2,
            total - total / 2,
        ));
    }
    csv
}

/// A mail whose only report is `csv`, attached in base64.
fn csv_mail(csv: &str) -> Vec<u8> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(csv);
    let mut wrapped = String::new();
    for chunk in encoded.as_bytes().chunks(76) {
        wrapped.push_str(std::str::from_utf8(chunk).unwrap());
        wrapped.push_str("\r\n");
    }
    format!(
        "From: tool@site.example\r\nDate: Tue, 1 Dec 2026 09:05:00 +0900\r\nSubject: fleet\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nCounters attached.\r\n\
         --b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"fleet.csv\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{wrapped}--b--\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_megabytes_csv_of_a_thousand_devices_is_one_ingest() {
    let app = TestApp::spawn().await;
    app.clock.set(december_2026());
    let tenant = app.tenant("acme", "Asia/Tokyo").await;
    for i in 0..1000 {
        let serial = format!("FL{i:05}");
        app.device(&tenant, mfp(&serial, &serial)).await;
    }
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let message = csv_mail(&fleet_csv(1000, |i| 10_000 + i as u64));
    assert!(message.len() > 2_000_000, "{} bytes", message.len());
    let reply = send(smtp.addr, &format!("{ingest}@x"), &message)
        .await
        .expect("stored");
    assert_eq!(
        text(&reply).lines().next().unwrap(),
        "2.0.0 Stored 1000 readings, 0 duplicates"
    );
    let (status, body) = app
        .get(
            "/api/v1/counters?unit=month&from=2026-12&to=2026-12&kind=cumulative",
            &read,
        )
        .await;
    assert_eq!(status, 200);
    let devices = body["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1000);
    for d in devices {
        let i: u64 = d["serial"].as_str().unwrap()[2..].parse().unwrap();
        assert_eq!(d["periods"]["2026-12"]["total1"], 10_000 + i, "{d}");
    }

    // One bad row refuses the whole mail: all or nothing, like one HTTP request.
    let mut csv = fleet_csv(1000, |i| 20_000 + i as u64);
    csv = csv.replace("FL00500,", "UNKNOWN-1,");
    let err = send(smtp.addr, &format!("{ingest}@x"), &csv_mail(&csv))
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains("reading 501 (serial UNKNOWN-1)"),
        "{err}"
    );
    let again = month_counters(&app, &read, "FL00000", "2026-12").await;
    assert_eq!(
        again["total1"], 10_000,
        "nothing of the refused mail is stored"
    );
}

/// A Kyocera counter report of one device, with the date of its row.
fn kyocera_report(serial: &str, date: &str, total: u64) -> Vec<u8> {
    format!(
        "From: kyocera@site.example\r\nDate: Tue, 1 Dec 2026 09:05:00 +0900\r\nSubject: Counter\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"k\"\r\n\r\n\
         --k\r\nContent-Type: text/csv; charset=utf-8\r\n\
         Content-Disposition: attachment; filename=\"counter.csv\"\r\n\r\n\
         Model,Serial Number,Date,Total Printed\r\nECOSYS M3655idn,{serial},{date},{total}\r\n--k--\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_device_that_resets_its_counter_after_each_report_keeps_its_months_usage() {
    // Kyocera's automatic counter reset (Job Accounting, Command Center RX: off, every day,
    // week or month) sets the counters to zero at the period's start, and the site's tool
    // mails them between resets. The engine's reset rule (C6) counts a lower value as pages
    // since zero, so each month's usage stays what was printed in it.
    let app = TestApp::spawn().await;
    app.clock.set(december_2026());
    let tenant = app.tenant("acme", "Asia/Tokyo").await;
    app.device(&tenant, mfp("VCF0001", "3F")).await;
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    // Reset on the 1st of each month at 00:00.
    let reports = [
        ("2026/10/31 23:00", 1000),
        ("2026/11/10 23:00", 300),
        ("2026/11/20 23:00", 450),
        ("2026/11/30 23:00", 700),
        ("2026/12/05 23:00", 200),
    ];
    for (date, total) in reports {
        let reply = send(
            smtp.addr,
            &format!("{ingest}@x"),
            &kyocera_report("VCF0001", date, total),
        )
        .await
        .expect("stored");
        assert_eq!(
            text(&reply).lines().next(),
            Some("2.0.0 Stored 1 readings, 0 duplicates")
        );
    }
    let (status, body) = app
        .get(
            "/api/v1/counters?unit=month&from=2026-11&to=2026-12&kind=usage",
            &read,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let periods = &body["devices"][0]["periods"];
    assert_eq!(periods["2026-11"]["total1"], 700, "{body}");
    assert_eq!(periods["2026-12"]["total1"], 200, "{body}");
}

#[tokio::test]
async fn a_device_registered_for_smtp_stays_normal_and_shows_its_last_mail() {
    let app = TestApp::spawn().await;
    app.clock.set(december_2026());
    let tenant = app.tenant("acme", "Asia/Tokyo").await;
    let mut smtp_device = mfp("SMTP-1", "Mail MFP");
    smtp_device["protocol"] = "smtp".into();
    let smtp_id = app.device(&tenant, smtp_device).await;
    // A device registered for HTTP that mails its counters is taken too.
    let http_id = app.device(&tenant, mfp("HTTP-1", "Web MFP")).await;
    let ingest = app.ingest_token(&tenant).await;
    let read = app.read_token(&tenant).await;
    let smtp = Listener::start(&app, SmtpConfig::default()).await;
    let body = format!("{}{}", report("SMTP-1"), report("HTTP-1"))
        .replace("2021-11-30T18:00:00+09:00", "2026-12-01T09:00:00+09:00");
    send(
        smtp.addr,
        &format!("{ingest}@x"),
        &mail("Tue, 1 Dec 2026 09:05:00 +0900", &body),
    )
    .await
    .expect("stored");
    // The times of the last mails are written once a second, and when the listener stops.
    smtp.shut_down().await;

    let (status, list) = app.get("/api/v1/devices", &read).await;
    assert_eq!(status, 200, "{list}");
    let by_serial = |serial: &str| {
        list["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["serial"] == serial)
            .unwrap()
            .clone()
    };
    let mailed = by_serial("SMTP-1");
    assert_eq!(mailed["status"], "normal");
    assert_eq!(mailed["last_mail_at"], "2026-12-07T00:00:00Z");
    assert_eq!(mailed["last_reading_at"], "2026-12-01T00:00:00Z");
    assert_eq!(by_serial("HTTP-1")["last_mail_at"], "2026-12-07T00:00:00Z");

    let password = "secret123";
    app.store
        .create_user(
            tenant.id,
            "yamada",
            &meterport_store::users::hash_password(password),
            None,
            "en",
            december_2026(),
        )
        .await
        .unwrap();
    let browser = crate::harness::web::Browser::on(&app);
    browser.login("yamada", password).await;
    let page = browser.get_ok(&format!("/devices/{smtp_id}")).await;
    assert_eq!(
        crate::harness::web::texts(&page.html, "#device-last-mail"),
        ["7 Dec 2026 09:00:00"]
    );
    let page = browser.get_ok(&format!("/devices/{http_id}")).await;
    assert_eq!(
        crate::harness::web::texts(&page.html, "#device-last-mail"),
        ["7 Dec 2026 09:00:00"]
    );
}

#[tokio::test]
async fn starttls_is_offered_with_a_certificate_and_a_mail_goes_through_it() {
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    let app = TestApp::spawn().await;
    let (_tenant, ingest, read) = customer(&app, "acme").await;
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["portal.example".into()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let tls =
        meterport_portal::smtp::load_tls(cert_path.to_str().unwrap(), key_path.to_str().unwrap())
            .expect("the PEM files load");
    let smtp = Listener::start(
        &app,
        SmtpConfig {
            tls: Some(tls),
            ..SmtpConfig::default()
        },
    )
    .await;

    let mut raw = Raw::greeted(smtp.addr).await;
    let (_, ehlo) = raw.send("EHLO site.example").await;
    assert!(ehlo.lines().any(|l| l == "STARTTLS"), "{ehlo}");

    // lettre refuses to send unless the session is encrypted.
    let parameters = TlsParameters::builder("portal.example".into())
        .dangerous_accept_invalid_certs(true)
        .build_rustls()
        .unwrap();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(smtp.addr.port())
        .tls(Tls::Required(parameters))
        .build();
    let envelope = Envelope::new(
        Some("device@site.example".parse().unwrap()),
        vec![format!("{ingest}@portal.example").parse().unwrap()],
    )
    .unwrap();
    let message = mail("Tue, 30 Nov 2021 18:05:00 +0900", &report("acme-SN-1"));
    let reply = transport
        .send_raw(&envelope, &message)
        .await
        .expect("stored over TLS");
    assert_eq!(text(&reply), "2.0.0 Stored 1 readings, 0 duplicates");
    assert_eq!(
        month_counters(&app, &read, "acme-SN-1", "2021-11").await["total1"],
        1200
    );

    // Bad files are named when the portal starts, not at the first client.
    std::fs::write(&key_path, "not a key").unwrap();
    let err =
        meterport_portal::smtp::load_tls(cert_path.to_str().unwrap(), key_path.to_str().unwrap())
            .expect_err("refused");
    assert!(err.to_string().contains("key.pem"), "{err}");
}

#[tokio::test]
async fn several_portal_instances_take_mail_for_the_same_database() {
    let app = TestApp::spawn().await;
    let (_tenant, ingest, read) = customer(&app, "acme").await;
    // A second instance: its own state and writer over the same database.
    let store = meterport_store::Store::open(&app.db.url).await.unwrap();
    let other = meterport_portal::app::AppState::new(
        meterport_portal::service::Services::new(store),
        app.clock.clone(),
        None,
    );
    let first = Listener::start(&app, SmtpConfig::default()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second_addr = listener.local_addr().unwrap();
    let (_stop, stopping) = watch::channel(false);
    tokio::spawn(meterport_portal::smtp::serve(
        listener,
        other,
        SmtpConfig::default(),
        stopping,
    ));
    let mut sends = Vec::new();
    for n in 0..20u64 {
        let addr = if n % 2 == 0 { first.addr } else { second_addr };
        let body = format!(
            "serial: acme-SN-{}\nread_at: 2021-11-{:02}T12:00:00+09:00\ntotal1: {}\n",
            n % 2 + 1,
            n / 2 + 1,
            1000 + n * 10
        );
        let to = format!("{ingest}@x");
        sends.push(tokio::spawn(async move {
            send(addr, &to, &mail("Tue, 30 Nov 2021 18:05:00 +0900", &body)).await
        }));
    }
    for s in sends {
        let reply = s.await.unwrap().expect("stored");
        assert_eq!(text(&reply), "2.0.0 Stored 1 readings, 0 duplicates");
    }
    assert_eq!(
        month_counters(&app, &read, "acme-SN-1", "2021-11").await["total1"],
        1180
    );
    assert_eq!(
        month_counters(&app, &read, "acme-SN-2", "2021-11").await["total1"],
        1190
    );
}
