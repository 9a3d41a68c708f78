//! The real `meterport serve` process (SPEC Q5): a reading acknowledged with a 200 survives
//! a `kill -9` of the portal, and SIGTERM lets a request in flight finish before the process
//! exits. These run the binary that cargo built, over the test backend's database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::harness::{OPERATOR_TOKEN, TestDb, mfp};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A `meterport serve` child process on a port of its own.
struct Server {
    child: Child,
    base: String,
    addr: String,
    /// Where its SMTP listener takes meter mail.
    smtp: std::net::SocketAddr,
}

impl Server {
    fn start(db: &TestDb) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meterport"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database", &db.url])
            .args(["--smtp-listen", "127.0.0.1:0"])
            .env("METERPORT_OPERATOR_TOKEN", OPERATOR_TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the meterport binary starts");
        // It prints the addresses it listens on once the database is open and migrated.
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut smtp = None;
        let addr = loop {
            let line = lines
                .next()
                .expect("meterport printed its address before exiting")
                .expect("readable stdout");
            if let Some(rest) = line.split("takes meter mail on smtp://").nth(1) {
                smtp = Some(rest.trim().parse().expect("an SMTP address"));
            }
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest.trim_end_matches('/').to_string();
            }
        };
        let smtp = smtp.expect("the SMTP address is printed before the HTTP one");
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base: format!("http://{addr}"),
            addr,
            smtp,
        }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Waits for the process to end, at most `secs` seconds; its exit status.
    fn wait(&mut self, secs: u64) -> std::process::ExitStatus {
        for _ in 0..secs * 20 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().ok();
        panic!("meterport did not exit within {secs} s");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A tenant with `devices` MFPs, made through the operator API; its ingest token.
async fn customer(client: &reqwest::Client, base: &str, devices: usize) -> String {
    let post = |path: String, body: Value| {
        let client = client.clone();
        async move {
            let res = client
                .post(path)
                .bearer_auth(OPERATOR_TOKEN)
                .json(&body)
                .send()
                .await
                .expect("operator request");
            assert_eq!(res.status().as_u16(), 201);
            res.json::<Value>().await.unwrap()
        }
    };
    let tenant = post(
        format!("{base}/api/v1/admin/tenants"),
        json!({"name": "Crash Test KK", "timezone": "Asia/Tokyo"}),
    )
    .await;
    let t = tenant["id"].as_i64().unwrap();
    for d in 0..devices {
        let serial = format!("CRASH-{d:03}");
        post(
            format!("{base}/api/v1/admin/tenants/{t}/devices"),
            mfp(&serial, &serial),
        )
        .await;
    }
    post(
        format!("{base}/api/v1/admin/tenants/{t}/ingest-tokens"),
        json!({}),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The start of the readings: two days ago, on a whole minute (within the default
/// retention, and never in the future).
fn base() -> i64 {
    let now = jiff::Timestamp::now().as_second();
    now - now % 60 - 2 * 86_400
}

/// The `n`-th reading of a device: one a minute from `base`.
fn reading(base: i64, device: usize, n: usize) -> Value {
    let at = jiff::Timestamp::from_second(base + n as i64 * 60).unwrap();
    json!({
        "serial": format!("CRASH-{device:03}"),
        "read_at": at.to_string(),
        "counters": {"total1": 1000 + n * 7, "mono": 600 + n * 4, "color": 400 + n * 3},
    })
}

/// Starts the portal again over `db` and sends `items` once more: the answer (200).
async fn resend_after_restart(
    db: &TestDb,
    client: &reqwest::Client,
    token: &str,
    items: &[Value],
) -> Value {
    let server = Server::start(db);
    let res = client
        .post(format!("{}/api/v1/ingest/readings", server.base))
        .bearer_auth(token)
        .json(items)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn readings_acknowledged_with_200_survive_a_kill_9_of_the_portal() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db);
    let client = reqwest::Client::new();
    let token = customer(&client, &server.base, 8).await;

    // 32 clients send single readings as fast as they are answered; the process is killed
    // while requests are still in flight.
    let acked = Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let base = base();
    let mut tasks = Vec::new();
    for c in 0..32 {
        let (client, url, token, acked) = (
            client.clone(),
            format!("{}/api/v1/ingest/readings", server.base),
            token.clone(),
            acked.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                let r = reading(base, c % 8, n * 4 + c / 8);
                match client.post(&url).bearer_auth(&token).json(&r).send().await {
                    Ok(res) if res.status().as_u16() == 200 => acked.lock().unwrap().push(r),
                    Ok(res) => panic!("ingest answered {}", res.status()),
                    // The portal is gone.
                    Err(_) => return,
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < 400 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.child.kill().expect("kill -9");
    server.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 400);

    // After a restart every acknowledged reading is there: sent again, each is a duplicate.
    let body = resend_after_restart(&db, &client, &token, &acked).await;
    assert_eq!(body["accepted"], 0, "{body}");
    assert_eq!(body["duplicates"], acked.len(), "{body}");
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_then_the_portal_exits() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db);
    let client = reqwest::Client::new();
    let token = customer(&client, &server.base, 20).await;

    // A request whose body has only half arrived when SIGTERM comes.
    let base = base();
    let items: Vec<Value> = (0..2000).map(|i| reading(base, i % 20, i / 20)).collect();
    let body = serde_json::to_vec(&items).unwrap();
    let mut tcp = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/ingest/readings HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr,
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let half = body.len() / 2;
    tcp.write_all(&body[..half]).await.unwrap();
    tcp.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let killed = Command::new("kill")
        .args(["-TERM", &server.pid()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Stopping: no new connection is taken...
    let refused = tokio::net::TcpStream::connect(&server.addr).await;
    // ...but the request in flight completes.
    tcp.write_all(&body[half..]).await.unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"accepted\":2000"), "{answer}");
    assert!(server.wait(20).success(), "meterport exits cleanly");
    assert!(
        refused.is_err(),
        "a stopping portal accepts no new connection"
    );

    // And what it acknowledged is stored.
    let stored = resend_after_restart(&db, &client, &token, &items).await;
    assert_eq!(stored["duplicates"], 2000, "{stored}");
}

/// A meter mail of one reading, in the `key: value` format.
fn meter_mail(r: &Value) -> Vec<u8> {
    let c = &r["counters"];
    format!(
        "From: crash@site.example\r\nSubject: counters\r\n\r\nserial: {}\r\nread_at: {}\r\n\
         total1: {}\r\nmono: {}\r\ncolor: {}\r\n",
        r["serial"].as_str().unwrap(),
        r["read_at"].as_str().unwrap(),
        c["total1"],
        c["mono"],
        c["color"]
    )
    .into_bytes()
}

#[tokio::test]
async fn meter_mails_acknowledged_with_250_survive_a_kill_9_of_the_portal() {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let db = TestDb::new().await;
    let mut server = Server::start(&db);
    let client = reqwest::Client::new();
    let token = customer(&client, &server.base, 8).await;
    let to: lettre::Address = format!("{token}@portal.example").parse().unwrap();
    let envelope =
        lettre::address::Envelope::new(Some("crash@site.example".parse().unwrap()), vec![to])
            .unwrap();

    // 16 clients mail single readings as fast as they are answered; the process is killed
    // while mails are still being sent.
    let acked = Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let base = base();
    let mut tasks = Vec::new();
    for c in 0..16 {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(server.smtp.port())
            .build();
        let (acked, envelope) = (acked.clone(), envelope.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                let r = reading(base, c % 8, n * 2 + c / 8);
                match transport.send_raw(&envelope, &meter_mail(&r)).await {
                    Ok(reply) => {
                        assert_eq!(reply.code().to_string(), "250");
                        acked.lock().unwrap().push(r);
                    }
                    Err(e) if e.is_permanent() => panic!("refused: {e}"),
                    // The portal is gone.
                    Err(_) => return,
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.child.kill().expect("kill -9");
    server.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 200);

    // After a restart every acknowledged reading is there: sent again, each is a duplicate.
    let server = Server::start(&db);
    let res = client
        .post(format!("{}/api/v1/ingest/readings", server.base))
        .bearer_auth(&token)
        .json(&acked)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["accepted"], 0, "{body}");
    assert_eq!(body["duplicates"], acked.len(), "{body}");
}

#[tokio::test]
async fn sigterm_lets_a_meter_mail_being_sent_finish_then_the_portal_exits() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db);
    let client = reqwest::Client::new();
    let token = customer(&client, &server.base, 1).await;
    let mut smtp = tokio::net::TcpStream::connect(server.smtp).await.unwrap();
    let mut replies = Vec::new();
    let mut buf = [0u8; 4096];
    let mut read_reply = async |smtp: &mut tokio::net::TcpStream, replies: &mut Vec<String>| {
        let n = smtp.read(&mut buf).await.unwrap();
        replies.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    };
    read_reply(&mut smtp, &mut replies).await;
    for command in [
        "EHLO site.example".to_string(),
        "MAIL FROM:<crash@site.example>".into(),
        format!("RCPT TO:<{token}@portal.example>"),
        "DATA".into(),
    ] {
        smtp.write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        read_reply(&mut smtp, &mut replies).await;
    }
    assert!(replies.last().unwrap().starts_with("354"), "{replies:?}");
    let mail = meter_mail(&reading(base(), 0, 0));
    smtp.write_all(&mail[..30]).await.unwrap();
    let term = Command::new("kill")
        .args(["-TERM", &server.pid()])
        .status()
        .unwrap();
    assert!(term.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    smtp.write_all(&mail[30..]).await.unwrap();
    smtp.write_all(b".\r\n").await.unwrap();
    read_reply(&mut smtp, &mut replies).await;
    let last = replies.last().unwrap();
    assert!(
        last.starts_with("250 2.0.0 Stored 1 readings, 0 duplicates"),
        "{replies:?}"
    );
    assert!(server.wait(20).success());
}
