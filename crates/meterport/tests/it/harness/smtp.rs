//! A real SMTP server for tests: the portal's mail goes out over TCP through lettre and is
//! received here by `mailin-embedded` (a complete RFC 5321 server: EHLO/HELO, MAIL, RCPT,
//! DATA with dot-unstuffing, RSET, NOOP, QUIT), then parsed with `mail-parser`.
//!
//! ```ignore
//! let smtp = SmtpServer::start();                       // 127.0.0.1, a free port
//! let app = TestApp::spawn_with_mail(&smtp.url()).await; // the portal sends to it
//! // ... make the portal send a mail ...
//! let mail = smtp.wait_for("yamada@example.com", Duration::from_secs(10)).await;
//! assert_eq!(mail.subject, "...");
//! let link = mail.first_link();                         // first http(s) link of the text
//! ```
//!
//! - [`SmtpServer::start`] listens on a free port of 127.0.0.1; [`SmtpServer::start_on`] on a
//!   given one (to bring a server up where the portal has been failing to connect, see
//!   [`unused_port`]). The server runs on its own threads until the test process ends.
//! - [`SmtpServer::wait_for`] returns the oldest mail to that envelope recipient that no
//!   earlier `wait_for` returned, and panics (listing what did arrive) after the timeout.
//!   [`SmtpServer::received`] is everything received so far, in order.
//! - [`ReceivedMail`]: envelope sender and recipients, and the parsed `From`, subject, text
//!   part and HTML part (empty when the mail has none), plus the raw message.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mail_parser::MessageParser;
use mailin_embedded::response::{OK, Response};
use mailin_embedded::{Handler, Server, SslConfig};

/// One mail as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`); read in failure messages (`{:?}`).
    #[allow(dead_code)]
    pub envelope_from: String,
    /// The envelope recipients (`RCPT TO`), without angle brackets.
    pub to: Vec<String>,
    /// The address of the `From:` header.
    pub from: String,
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part; empty if the mail has none.
    pub html: String,
    /// The whole message as it came over DATA (after dot-unstuffing); read in failure
    /// messages (`{:?}`).
    #[allow(dead_code)]
    pub raw: String,
}

impl ReceivedMail {
    /// The first http(s) link of the text part; panics when there is none.
    pub fn first_link(&self) -> String {
        first_link(&self.text).unwrap_or_else(|| panic!("no link in the mail:\n{}", self.text))
    }
}

/// The first `http://` or `https://` link of a text, up to the next white space.
pub fn first_link(text: &str) -> Option<String> {
    let start = text
        .find("https://")
        .into_iter()
        .chain(text.find("http://"))
        .min()?;
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"'))
        .collect();
    Some(link)
}

/// A port of 127.0.0.1 on which nothing listens (at the moment of the call).
pub fn unused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

#[derive(Default)]
struct Inbox {
    /// Every mail received, and whether `wait_for` has returned it already.
    mails: Mutex<Vec<(ReceivedMail, bool)>>,
}

/// The server's callbacks: one clone per SMTP connection, so the message being received is
/// per connection and the inbox is shared.
#[derive(Clone)]
struct Collector {
    inbox: Arc<Inbox>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

fn bare(address: &str) -> String {
    address
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = bare(from);
        self.to = to.iter().map(|t| bare(t)).collect();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = std::mem::take(&mut self.data);
        let parsed = MessageParser::default().parse(&raw);
        let mail = ReceivedMail {
            envelope_from: self.from.clone(),
            to: self.to.clone(),
            from: parsed
                .as_ref()
                .and_then(|m| m.from()?.first()?.address().map(str::to_string))
                .unwrap_or_default(),
            subject: parsed
                .as_ref()
                .and_then(|m| m.subject().map(str::to_string))
                .unwrap_or_default(),
            text: parsed
                .as_ref()
                .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
                .unwrap_or_default(),
            // Only a real HTML part counts: mail-parser would make one up from the text.
            html: parsed
                .as_ref()
                .filter(|m| {
                    m.html_body
                        .first()
                        .and_then(|i| m.parts.get(*i as usize))
                        .is_some_and(|p| matches!(p.body, mail_parser::PartType::Html(_)))
                })
                .and_then(|m| m.body_html(0).map(|t| t.into_owned()))
                .unwrap_or_default(),
            raw: String::from_utf8_lossy(&raw).into_owned(),
        };
        self.inbox.mails.lock().unwrap().push((mail, false));
        OK
    }
}

/// A running SMTP server on 127.0.0.1.
pub struct SmtpServer {
    port: u16,
    inbox: Arc<Inbox>,
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub fn start() -> SmtpServer {
        SmtpServer::serve(TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
    }

    /// Starts a server on `port` of 127.0.0.1.
    pub fn start_on(port: u16) -> SmtpServer {
        SmtpServer::serve(TcpListener::bind(("127.0.0.1", port)).expect("bind the given port"))
    }

    fn serve(listener: TcpListener) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Inbox::default());
        let collector = Collector {
            inbox: inbox.clone(),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(collector);
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            // Serves until the test process ends; an error (the listener failed) ends it.
            let _ = server.serve();
        });
        SmtpServer { port, inbox }
    }

    /// `smtp://127.0.0.1:PORT`, for `METERPORT_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every mail received so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.inbox
            .mails
            .lock()
            .unwrap()
            .iter()
            .map(|(m, _)| m.clone())
            .collect()
    }

    /// Mails received so far for an envelope recipient.
    pub fn received_for(&self, to: &str) -> Vec<ReceivedMail> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .collect()
    }

    /// The oldest mail to `to` that no earlier call returned; panics after `timeout`.
    pub async fn wait_for(&self, to: &str, timeout: Duration) -> ReceivedMail {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            {
                let mut mails = self.inbox.mails.lock().unwrap();
                if let Some((mail, taken)) = mails
                    .iter_mut()
                    .find(|(m, taken)| !*taken && m.to.iter().any(|t| t == to))
                {
                    *taken = true;
                    return mail.clone();
                }
            }
            if tokio::time::Instant::now() >= deadline {
                let got: Vec<_> = self
                    .received()
                    .iter()
                    .map(|m| (m.to.clone(), m.subject.clone()))
                    .collect();
                panic!("no mail to {to} within {timeout:?}; received: {got:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
