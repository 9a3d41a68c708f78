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

/// One device's cumulative counters of a month, from the read API.
async fn month_counters(app: &TestApp, read: &str, serial: &str, month: &str) -> Value {
    let (status, body) = app
        .get(
            &format!("/api/v1/counters?unit=month&from={month}&to={month}&kind=cumulative"),
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
